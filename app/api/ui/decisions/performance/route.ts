import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { decisionPerformance, ZPerformanceQuery } from '@/lib/server/decisions/decision-performance'
import { fromZodError } from '@/lib/server/errors/app-error'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'

export const dynamic = 'force-dynamic'

/** The performance page's numbers, for its React Query refetches. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  const parsed = ZPerformanceQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams))
  if (!parsed.success) throw fromZodError(parsed.error)
  return jsonResponse(await decisionPerformance({ db: db(), userId: user.id, ...parsed.data }), 200, { 'Cache-Control': 'no-store' })
})

import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { listDecisions, ZListDecisionsQuery } from '@/lib/server/decisions/list-decisions'
import { fromZodError } from '@/lib/server/errors/app-error'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'

export const dynamic = 'force-dynamic'

/** The journal page's list (same filters as /api/v1/decisions), for its React Query refetches. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  const parsed = ZListDecisionsQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams))
  if (!parsed.success) throw fromZodError(parsed.error)
  return jsonResponse(await listDecisions({ db: db(), userId: user.id, filter: parsed.data }), 200, { 'Cache-Control': 'no-store' })
})

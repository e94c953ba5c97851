import { parseQuery } from '@/app/api/v1/_lib/parse-query'
import { decisionPerformance, ZPerformanceQuery } from '@/lib/server/decisions/decision-performance'
import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'

export const dynamic = 'force-dynamic'

/** The performance page's numbers, for its React Query refetches. */
export const GET = apiRoute(async ({ req, db, user }) => {
  const q = parseQuery(req, ZPerformanceQuery)
  return jsonResponse(await decisionPerformance({ db, userId: user.id, ...q }), 200, { 'Cache-Control': 'no-store' })
})

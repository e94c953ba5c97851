import { parseQuery } from '@/app/api/v1/_lib/parse-query'
import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZPerformanceQuery } from '@/lib/server/performance/performance-query'
import { performanceReport } from '@/lib/server/performance/performance-report'
import { otherMethods } from '@/lib/server/http/method-not-allowed'

export const dynamic = 'force-dynamic'

/** The performance page's numbers, for its React Query refetches. */
export const GET = apiRoute(async ({ req, db, user }) => {
  const query = parseQuery(req, ZPerformanceQuery)
  return jsonResponse(await performanceReport({ db, userId: user.id, query }), 200, { 'Cache-Control': 'no-store' })
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

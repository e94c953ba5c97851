import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZPerformanceReport } from '@/lib/server/openapi/performance-schemas'
import { ZPerformanceQuery } from '@/lib/server/performance/performance-query'
import { performanceReport } from '@/lib/server/performance/performance-report'
import { parseQuery } from '../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?traderId=&symbol=&source=&from=&to=&mode=&currency= → 200 PerformanceReport. */
export const GET = apiRoute(async ({ req, db, user }) => {
  const query = parseQuery(req, ZPerformanceQuery)
  return jsonResponse(ZPerformanceReport.parse(await performanceReport({ db, userId: user.id, query })))
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

import { decisionPerformance, ZPerformanceQuery } from '@/lib/server/decisions/decision-performance'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZDecisionPerformance } from '@/lib/server/openapi/decision-schemas'
import { parseQuery } from '../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?traderId= → 200 DecisionPerformance: executed entries by provider × action × confidence, and outcomes per provider. */
export const GET = apiRoute(async ({ req, db, user }) => {
  const q = parseQuery(req, ZPerformanceQuery)
  return jsonResponse(ZDecisionPerformance.parse(await decisionPerformance({ db, userId: user.id, ...q })))
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

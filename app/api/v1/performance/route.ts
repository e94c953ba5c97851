import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { decisionPerformance, ZPerformanceQuery } from '@/lib/server/decisions/decision-performance'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZDecisionPerformance } from '@/lib/server/openapi/decision-schemas'
import { parseQuery } from '../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?traderId= → 200 DecisionPerformance: executed entries by provider × action × confidence, and outcomes per provider. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  const q = parseQuery(req, ZPerformanceQuery)
  return jsonResponse(ZDecisionPerformance.parse(await decisionPerformance({ db: db(), userId: user.id, ...q })))
})

import { getDecision } from '@/lib/server/decisions/get-decision'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZDecisionDetail } from '@/lib/server/openapi/decision-schemas'

export const dynamic = 'force-dynamic'

/** GET → 200 DecisionDetail (with the exact prompt and raw response); 404 when it is not the caller's. */
export const GET = apiRoute<{ id: string }>(async ({ db, params, user }) =>
  jsonResponse(ZDecisionDetail.parse(await getDecision({ db, userId: user.id, decisionId: params.id }))),
)

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

import { approveApproval } from '@/lib/server/approvals/decide-approval'
import { getApproval } from '@/lib/server/approvals/list-approvals'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZApproveResult } from '@/lib/server/openapi/decision-schemas'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/**
 * POST ApproveRequest ({ qty?, stopLoss?, takeProfits?, note? }; an empty body approves as
 * proposed) → 200 ApproveResult. Re-validated against the current market first: a now-invalid
 * request is 400 with the reasons and stays pending; an expired or already decided one is 409.
 */
export const POST = apiRoute<{ id: string }>(async ({ req, db, params, user }) => {
  const input = await readJsonObject(req, { optional: true })
  const r = await approveApproval({ db, userId: user.id, approvalId: params.id, input })
  const approval = await getApproval({ db, userId: user.id, approvalId: params.id })
  return jsonResponse(ZApproveResult.parse({ approval, positionId: r.positionId, summary: r.summary }))
})

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

import { db } from '@/lib/db/client'
import { approveApproval } from '@/lib/server/approvals/decide-approval'
import { getApproval } from '@/lib/server/approvals/list-approvals'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZApproveResult } from '@/lib/server/openapi/decision-schemas'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/**
 * POST ApproveRequest ({ qty?, stopLoss?, takeProfits?, note? }; an empty body approves as
 * proposed) → 200 ApproveResult. Re-validated against the current market first: a now-invalid
 * request is 400 with the reasons and stays pending; an expired or already decided one is 409.
 */
export const POST = handleRoute(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const user = await requireApiUser(req)
  const { id } = await params
  const input = await readJsonObject(req, { optional: true })
  const r = await approveApproval({ db: db(), userId: user.id, approvalId: id, input })
  const approval = await getApproval({ db: db(), userId: user.id, approvalId: id })
  return jsonResponse(ZApproveResult.parse({ approval, positionId: r.positionId, summary: r.summary }))
})

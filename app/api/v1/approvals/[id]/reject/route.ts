import { db } from '@/lib/db/client'
import { rejectApproval } from '@/lib/server/approvals/decide-approval'
import { getApproval } from '@/lib/server/approvals/list-approvals'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZApproval } from '@/lib/server/openapi/decision-schemas'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** POST RejectRequest ({ note? }; an empty body rejects without a note) → 200 Approval (REJECTED). Nothing is executed. */
export const POST = handleRoute(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const user = await requireApiUser(req)
  const { id } = await params
  const input = await readJsonObject(req, { optional: true })
  await rejectApproval({ db: db(), userId: user.id, approvalId: id, input })
  return jsonResponse(ZApproval.parse(await getApproval({ db: db(), userId: user.id, approvalId: id })))
})

import { rejectApproval } from '@/lib/server/approvals/decide-approval'
import { getApproval } from '@/lib/server/approvals/list-approvals'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZApproval } from '@/lib/server/openapi/decision-schemas'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** POST RejectRequest ({ note? }; an empty body rejects without a note) → 200 Approval (REJECTED). Nothing is executed. */
export const POST = apiRoute<{ id: string }>(async ({ req, db, params, user }) => {
  const input = await readJsonObject(req, { optional: true })
  await rejectApproval({ db, userId: user.id, approvalId: params.id, input })
  return jsonResponse(ZApproval.parse(await getApproval({ db, userId: user.id, approvalId: params.id })))
})

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

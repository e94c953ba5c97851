import { listApprovals, ZListApprovalsQuery } from '@/lib/server/approvals/list-approvals'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZApprovalList } from '@/lib/server/openapi/decision-schemas'
import { parseQuery } from '../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?status=&traderId=&limit= → 200 { approvals }: PENDING soonest-expiring first, otherwise most recently decided first. */
export const GET = apiRoute(async ({ req, db, user }) => {
  const q = parseQuery(req, ZListApprovalsQuery)
  return jsonResponse(ZApprovalList.parse({ approvals: await listApprovals({ db, userId: user.id, ...q }) }))
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

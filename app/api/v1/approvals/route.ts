import { db } from '@/lib/db/client'
import { listApprovals, ZListApprovalsQuery } from '@/lib/server/approvals/list-approvals'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZApprovalList } from '@/lib/server/openapi/decision-schemas'
import { parseQuery } from '../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?status=&traderId=&limit= → 200 { approvals }: PENDING soonest-expiring first, otherwise most recently decided first. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  const q = parseQuery(req, ZListApprovalsQuery)
  return jsonResponse(ZApprovalList.parse({ approvals: await listApprovals({ db: db(), userId: user.id, ...q }) }))
})

import { db } from '@/lib/db/client'
import { loadApprovalsPage } from '@/lib/server/approvals/list-approvals'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'

export const dynamic = 'force-dynamic'

/** The approvals page: pending requests and recently decided ones. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  return jsonResponse(await loadApprovalsPage(db(), user.id), 200, { 'Cache-Control': 'no-store' })
})

import { db } from '@/lib/db/client'
import { countPendingApprovals } from '@/lib/server/approvals/list-approvals'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'

export const dynamic = 'force-dynamic'

/** { pending }: the navigation badge's number. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  return jsonResponse({ pending: await countPendingApprovals({ db: db(), userId: user.id }) }, 200, { 'Cache-Control': 'no-store' })
})

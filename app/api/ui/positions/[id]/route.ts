import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { getPositionDetail } from '@/lib/server/positions/position-views'

export const dynamic = 'force-dynamic'

/** One position with its orders, fills and audit trail, for the detail page's refetches. */
export const GET = handleRoute(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const user = await requireApiUser(req)
  const { id } = await ctx.params
  return jsonResponse(await getPositionDetail(db(), user.id, id), 200, { 'Cache-Control': 'no-store' })
})

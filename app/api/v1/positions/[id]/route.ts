import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZPositionDetail } from '@/lib/server/openapi/response-schemas'
import { getPositionDetail } from '@/lib/server/positions/position-views'

export const dynamic = 'force-dynamic'

/** GET → 200 PositionDetail (orders, fills, audit trail); 404 when it is not the caller's. */
export const GET = handleRoute(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const user = await requireApiUser(req)
  const { id } = await params
  return jsonResponse(ZPositionDetail.parse(await getPositionDetail(db(), user.id, id)))
})

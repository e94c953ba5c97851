import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZPositionDetail } from '@/lib/server/openapi/response-schemas'
import { cancelEntry } from '@/lib/server/positions/cancel-entry'
import { getPositionDetail } from '@/lib/server/positions/position-views'
import { apiActor } from '../../../_lib/api-actor'

export const dynamic = 'force-dynamic'

/** POST (no body) → 200 PositionDetail; 409 when there is no resting entry order. */
export const POST = handleRoute(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const user = await requireApiUser(req)
  const { id } = await params
  await cancelEntry({ db: db(), userId: user.id, actor: apiActor(user), positionId: id })
  return jsonResponse(ZPositionDetail.parse(await getPositionDetail(db(), user.id, id)))
})

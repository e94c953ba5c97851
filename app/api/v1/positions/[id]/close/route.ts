import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZPositionDetail } from '@/lib/server/openapi/response-schemas'
import { closePosition } from '@/lib/server/positions/close-position'
import { getPositionDetail } from '@/lib/server/positions/position-views'
import { apiActor } from '../../../_lib/api-actor'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** POST { sharePct? } (default 100, an empty body closes all) → 200 PositionDetail after the market exit. */
export const POST = handleRoute(async (req: Request, { params }: { params: Promise<{ id: string }> }) => {
  const user = await requireApiUser(req)
  const { id } = await params
  const input = await readJsonObject(req, { optional: true })
  await closePosition({ db: db(), userId: user.id, actor: apiActor(user), positionId: id, input })
  return jsonResponse(ZPositionDetail.parse(await getPositionDetail(db(), user.id, id)))
})

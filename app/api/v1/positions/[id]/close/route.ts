import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZPositionDetail } from '@/lib/server/openapi/response-schemas'
import { closePosition } from '@/lib/server/positions/close-position'
import { getPositionDetail } from '@/lib/server/positions/position-views'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** POST { sharePct? } (default 100, an empty body closes all) → 200 PositionDetail after the market exit. */
export const POST = apiRoute<{ id: string }>(async ({ req, db, params, user, actor }) => {
  const input = await readJsonObject(req, { optional: true })
  await closePosition({ db, userId: user.id, actor, positionId: params.id, input })
  return jsonResponse(ZPositionDetail.parse(await getPositionDetail(db, user.id, params.id)))
})

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

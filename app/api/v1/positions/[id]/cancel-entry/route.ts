import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZPositionDetail } from '@/lib/server/openapi/response-schemas'
import { cancelEntry } from '@/lib/server/positions/cancel-entry'
import { getPositionDetail } from '@/lib/server/positions/position-views'

export const dynamic = 'force-dynamic'

/** POST (no body) → 200 PositionDetail; 409 when there is no resting entry order. */
export const POST = apiRoute<{ id: string }>(async ({ db, params, user, actor }) => {
  await cancelEntry({ db, userId: user.id, actor, positionId: params.id })
  return jsonResponse(ZPositionDetail.parse(await getPositionDetail(db, user.id, params.id)))
})

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

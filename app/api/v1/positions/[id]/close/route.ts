import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZPositionDetail } from '@/lib/server/openapi/response-schemas'
import { closePosition } from '@/lib/server/positions/close-position'
import { getPositionDetail } from '@/lib/server/positions/position-views'
import { readRequestKey, REPLAYED_HEADER } from '@/lib/server/positions/request-key'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/**
 * POST { sharePct? } (default 100, an empty body closes all) → 200 PositionDetail after the market
 * exit. With an Idempotency-Key header, a repeat (a partial close retried after a timeout) sends no
 * second exit: it answers with the position as it is now (marked Idempotent-Replayed) or the refusal.
 */
export const POST = apiRoute<{ id: string }>(async ({ req, db, params, user, actor }) => {
  const requestKey = readRequestKey(req)
  const input = await readJsonObject(req, { optional: true })
  const exit = await closePosition({ db, userId: user.id, actor, positionId: params.id, input, requestKey })
  return jsonResponse(ZPositionDetail.parse(await getPositionDetail(db, user.id, params.id)), 200, exit && 'replayed' in exit ? { [REPLAYED_HEADER]: 'true' } : undefined)
})

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

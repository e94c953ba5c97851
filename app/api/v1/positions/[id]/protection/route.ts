import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZPositionDetail } from '@/lib/server/openapi/response-schemas'
import { modifyProtection } from '@/lib/server/positions/modify-protection'
import { getPositionDetail } from '@/lib/server/positions/position-views'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** PATCH { stopLoss?, takeProfits? } → 200 PositionDetail; takeProfits replaces every level not yet filled. */
export const PATCH = apiRoute<{ id: string }>(async ({ req, db, params, user, actor }) => {
  const input = await readJsonObject(req)
  await modifyProtection({ db, userId: user.id, actor, positionId: params.id, input })
  return jsonResponse(ZPositionDetail.parse(await getPositionDetail(db, user.id, params.id)))
})

export const { GET, POST, PUT, DELETE } = otherMethods('PATCH')

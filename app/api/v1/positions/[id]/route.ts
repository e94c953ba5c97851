import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZPositionDetail } from '@/lib/server/openapi/response-schemas'
import { getPositionDetail } from '@/lib/server/positions/position-views'

export const dynamic = 'force-dynamic'

/** GET → 200 PositionDetail (orders, fills, audit trail); 404 when it is not the caller's. */
export const GET = apiRoute<{ id: string }>(async ({ db, params, user }) => jsonResponse(ZPositionDetail.parse(await getPositionDetail(db, user.id, params.id))))

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

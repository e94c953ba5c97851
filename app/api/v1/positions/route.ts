import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZListPositionsQuery } from '@/lib/server/openapi/query-schemas'
import { ZPositionDetail, ZPositionList } from '@/lib/server/openapi/response-schemas'
import { openPosition } from '@/lib/server/positions/open-position'
import { getPositionDetail, listPositions } from '@/lib/server/positions/position-views'
import { readRequestKey, REPLAYED_HEADER } from '@/lib/server/positions/request-key'
import { parseQuery } from '../_lib/parse-query'
import { readJsonObject } from '../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** GET ?state=active|closed&traderId= → 200 { positions }. */
export const GET = apiRoute(async ({ req, db, user }) => {
  const q = parseQuery(req, ZListPositionsQuery)
  return jsonResponse(ZPositionList.parse({ positions: await listPositions(db, user.id, q) }))
})

/**
 * POST OpenPositionRequest → 201 PositionDetail (the entry has been sent; a market entry is usually
 * filled). With an Idempotency-Key header, a repeat answers with the first attempt's position as it
 * is now (marked Idempotent-Replayed) or its refusal, and places nothing.
 */
export const POST = apiRoute(async ({ req, db, user, actor }) => {
  const requestKey = readRequestKey(req)
  const { positionId, replayed } = await openPosition({ db, userId: user.id, actor, input: await readJsonObject(req), requestKey })
  return jsonResponse(ZPositionDetail.parse(await getPositionDetail(db, user.id, positionId)), 201, {
    Location: `/api/v1/positions/${positionId}`,
    ...(replayed && { [REPLAYED_HEADER]: 'true' }),
  })
})

export const { PUT, PATCH, DELETE } = otherMethods('GET', 'POST')

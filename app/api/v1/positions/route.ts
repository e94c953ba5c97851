import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZPositionDetail, ZPositionList } from '@/lib/server/openapi/response-schemas'
import { openPosition } from '@/lib/server/positions/open-position'
import { getPositionDetail, listPositions } from '@/lib/server/positions/position-views'
import { apiActor } from '../_lib/api-actor'
import { ZListPositionsQuery } from '@/lib/server/openapi/query-schemas'
import { parseQuery } from '../_lib/parse-query'
import { readJsonObject } from '../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** GET ?state=active|closed&traderId= → 200 { positions }. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  const q = parseQuery(req, ZListPositionsQuery)
  return jsonResponse(ZPositionList.parse({ positions: await listPositions(db(), user.id, q) }))
})

/** POST OpenPositionRequest → 201 PositionDetail (the entry has been sent; a market entry is usually filled). */
export const POST = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  const { positionId } = await openPosition({ db: db(), userId: user.id, actor: apiActor(user), input: await readJsonObject(req) })
  return jsonResponse(ZPositionDetail.parse(await getPositionDetail(db(), user.id, positionId)), 201, {
    Location: `/api/v1/positions/${positionId}`,
  })
})

import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZOrderList } from '@/lib/server/openapi/response-schemas'
import { listOrders } from '@/lib/server/orders/list-orders'
import { ZListOrdersQuery } from '@/lib/server/openapi/query-schemas'
import { parseQuery } from '../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?positionId=&limit= → 200 { orders } of the caller's positions, newest first. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  const q = parseQuery(req, ZListOrdersQuery)
  return jsonResponse(ZOrderList.parse({ orders: await listOrders(db(), user.id, q) }))
})

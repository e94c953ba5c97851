import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZListOrdersQuery } from '@/lib/server/openapi/query-schemas'
import { ZOrderList } from '@/lib/server/openapi/response-schemas'
import { listOrders } from '@/lib/server/orders/list-orders'
import { parseQuery } from '../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?positionId=&limit= → 200 { orders } of the caller's positions, newest first. */
export const GET = apiRoute(async ({ req, db, user }) => {
  const q = parseQuery(req, ZListOrdersQuery)
  return jsonResponse(ZOrderList.parse({ orders: await listOrders(db, user.id, q) }))
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

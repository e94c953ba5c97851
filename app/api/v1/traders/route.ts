import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZTraderList } from '@/lib/server/openapi/response-schemas'
import { createTrader } from '@/lib/server/traders/create-trader'
import { findTrader, listTraders } from '../_lib/find-trader'
import { readJsonObject } from '../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** GET → 200 { traders } with balances and equity. */
export const GET = apiRoute(async ({ db, user }) => jsonResponse(ZTraderList.parse({ traders: await listTraders(db, user.id) })))

/** POST CreateTraderRequest → 201 Trader, its paper account funded with the starting balance. */
export const POST = apiRoute(async ({ req, db, user }) => {
  const trader = await createTrader({ db, userId: user.id, input: await readJsonObject(req) })
  return jsonResponse(await findTrader(db, user.id, trader.id), 201)
})

export const { PUT, PATCH, DELETE } = otherMethods('GET', 'POST')

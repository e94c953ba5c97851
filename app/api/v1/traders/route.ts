import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZTraderList } from '@/lib/server/openapi/response-schemas'
import { createTrader } from '@/lib/server/traders/create-trader'
import { findTrader, listTraders } from '../_lib/find-trader'
import { readJsonObject } from '../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** GET → 200 { traders } with balances and equity. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  return jsonResponse(ZTraderList.parse({ traders: await listTraders(db(), user.id) }))
})

/** POST CreateTraderRequest → 201 Trader, its paper account funded with the starting balance. */
export const POST = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  const trader = await createTrader({ db: db(), userId: user.id, input: await readJsonObject(req) })
  return jsonResponse(await findTrader(db(), user.id, trader.id), 201)
})

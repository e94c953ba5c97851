import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { updateTrader } from '@/lib/server/traders/update-trader'
import { findTrader } from '../../_lib/find-trader'
import { readJsonObject } from '../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** GET → 200 Trader with balances and equity; 404 when it is not the caller's. */
export const GET = apiRoute<{ id: string }>(async ({ db, params, user }) => jsonResponse(await findTrader(db, user.id, params.id)))

/** PATCH UpdateTraderRequest ({ name?, watchlist? }) → 200 Trader. */
export const PATCH = apiRoute<{ id: string }>(async ({ req, db, params, user }) => {
  await updateTrader({ db, userId: user.id, traderId: params.id, input: await readJsonObject(req) })
  return jsonResponse(await findTrader(db, user.id, params.id))
})

export const { POST, PUT, DELETE } = otherMethods('GET', 'PATCH')

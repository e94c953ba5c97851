import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { updateTrader } from '@/lib/server/traders/update-trader'
import { findTrader } from '../../_lib/find-trader'
import { readJsonObject } from '../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

type Ctx = { params: Promise<{ id: string }> }

/** GET → 200 Trader with balances and equity; 404 when it is not the caller's. */
export const GET = handleRoute(async (req: Request, { params }: Ctx) => {
  const user = await requireApiUser(req)
  const { id } = await params
  return jsonResponse(await findTrader(db(), user.id, id))
})

/** PATCH UpdateTraderRequest ({ name?, watchlist? }) → 200 Trader. */
export const PATCH = handleRoute(async (req: Request, { params }: Ctx) => {
  const user = await requireApiUser(req)
  const { id } = await params
  await updateTrader({ db: db(), userId: user.id, traderId: id, input: await readJsonObject(req) })
  return jsonResponse(await findTrader(db(), user.id, id))
})

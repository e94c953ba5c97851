import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZTraderState } from '@/lib/server/openapi/trader-settings-schemas'
import { pauseTrader } from '@/lib/server/traders/pause-trader'
import { apiActor } from '../../../_lib/api-actor'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

type Ctx = { params: Promise<{ id: string }> }

/** POST [{ reason? }] → 200 TraderState: the trader opens nothing until a person resumes it. */
export const POST = handleRoute(async (req: Request, { params }: Ctx) => {
  const user = await requireApiUser(req)
  const { id } = await params
  const input = await readJsonObject(req, { optional: true })
  return jsonResponse(ZTraderState.parse(await pauseTrader({ db: db(), userId: user.id, traderId: id, actor: apiActor(user), input })))
})

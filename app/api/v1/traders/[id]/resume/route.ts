import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZTraderState } from '@/lib/server/openapi/trader-settings-schemas'
import { resumeTrader } from '@/lib/server/traders/pause-trader'
import { apiActor } from '../../../_lib/api-actor'

export const dynamic = 'force-dynamic'

type Ctx = { params: Promise<{ id: string }> }

/** POST → 200 TraderState: a paused or halted trader is ACTIVE again (its account's panic halt is not lifted). */
export const POST = handleRoute(async (req: Request, { params }: Ctx) => {
  const user = await requireApiUser(req)
  const { id } = await params
  return jsonResponse(ZTraderState.parse(await resumeTrader({ db: db(), userId: user.id, traderId: id, actor: apiActor(user) })))
})

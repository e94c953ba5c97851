import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZTraderState } from '@/lib/server/openapi/trader-settings-schemas'
import { resumeTrader } from '@/lib/server/traders/pause-trader'

export const dynamic = 'force-dynamic'

/** POST → 200 TraderState: a paused or halted trader is ACTIVE again (its account's panic halt is not lifted). */
export const POST = apiRoute<{ id: string }>(async ({ db, params, user, actor }) =>
  jsonResponse(ZTraderState.parse(await resumeTrader({ db, userId: user.id, traderId: params.id, actor }))),
)

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

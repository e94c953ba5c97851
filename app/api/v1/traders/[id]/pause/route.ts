import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZTraderState } from '@/lib/server/openapi/trader-settings-schemas'
import { pauseTrader } from '@/lib/server/traders/pause-trader'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** POST [{ reason? }] → 200 TraderState: the trader opens nothing until a person resumes it. */
export const POST = apiRoute<{ id: string }>(async ({ req, db, params, user, actor }) => {
  const input = await readJsonObject(req, { optional: true })
  return jsonResponse(ZTraderState.parse(await pauseTrader({ db, userId: user.id, traderId: params.id, actor, input })))
})

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

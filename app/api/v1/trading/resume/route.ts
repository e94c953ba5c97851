import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZTradingState } from '@/lib/server/openapi/response-schemas'
import { resumeTrading } from '@/lib/server/trading/resume-trading'
import { readJsonObject } from '../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** POST { confirm: true, accountId?, traderId? } → 200 TradingState. Re-enables trading after a panic. */
export const POST = apiRoute(async ({ req, db, user, actor }) => {
  const input = await readJsonObject(req, { optional: true })
  return jsonResponse(ZTradingState.parse(await resumeTrading({ db, userId: user.id, actor, input })))
})

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

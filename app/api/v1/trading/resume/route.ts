import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZTradingState } from '@/lib/server/openapi/response-schemas'
import { resumeTrading } from '@/lib/server/trading/resume-trading'
import { apiActor } from '../../_lib/api-actor'
import { readJsonObject } from '../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** POST { confirm: true, accountId?, traderId? } → 200 TradingState. Re-enables trading after a panic. */
export const POST = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  const input = await readJsonObject(req, { optional: true })
  return jsonResponse(ZTradingState.parse(await resumeTrading({ db: db(), userId: user.id, actor: apiActor(user), input })))
})

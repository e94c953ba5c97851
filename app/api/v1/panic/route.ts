import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZPanicResult } from '@/lib/server/openapi/response-schemas'
import { pressPanic } from '@/lib/server/panic/press-panic'
import { apiActor } from '../_lib/api-actor'
import { readJsonObject } from '../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/**
 * POST { confirm: true, traderId?, accountId? } → 200 PanicResult. Halts trading (every account,
 * or the one trader/account named), cancels open orders and closes every position at market.
 */
export const POST = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  const input = await readJsonObject(req, { optional: true })
  const result = await pressPanic({ db: db(), userId: user.id, actor: apiActor(user), input })
  return jsonResponse(ZPanicResult.parse(result))
})

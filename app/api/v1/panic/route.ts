import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZPanicResult } from '@/lib/server/openapi/response-schemas'
import { pressPanic } from '@/lib/server/panic/press-panic'
import { readJsonObject } from '../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/**
 * POST { confirm: true, traderId?, accountId? } → 200 PanicResult. Halts trading (every account,
 * or the one trader/account named), cancels open orders and closes every position at market.
 */
export const POST = apiRoute(async ({ req, db, user, actor }) => {
  const input = await readJsonObject(req, { optional: true })
  return jsonResponse(ZPanicResult.parse(await pressPanic({ db, userId: user.id, actor, input })))
})

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

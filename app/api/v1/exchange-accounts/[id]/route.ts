import { deleteExchangeAccount } from '@/lib/server/exchange-accounts/delete-exchange-account'
import { getExchangeAccount } from '@/lib/server/exchange-accounts/list-exchange-accounts'
import { updateExchangeAccount } from '@/lib/server/exchange-accounts/update-exchange-account'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZExchangeAccount } from '@/lib/server/openapi/exchange-account-schemas'
import { readJsonObject } from '../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

const NO_STORE = { 'Cache-Control': 'no-store' }

/** GET → 200 ExchangeAccount; 404 for an account that is not yours. */
export const GET = apiRoute<{ id: string }>(async ({ db, params, user }) =>
  jsonResponse(ZExchangeAccount.parse(await getExchangeAccount({ db, userId: user.id, accountId: params.id })), 200, NO_STORE),
)

/** PATCH UpdateExchangeAccountRequest → 200 ExchangeAccount; new keys, base URL or mode are tested again. */
export const PATCH = apiRoute<{ id: string }>(async ({ req, db, params, user }) => {
  const account = await updateExchangeAccount({ db, userId: user.id, accountId: params.id, input: await readJsonObject(req) })
  return jsonResponse(ZExchangeAccount.parse(account), 200, NO_STORE)
})

/** DELETE → 204; 409 naming the traders while any trader uses the account. */
export const DELETE = apiRoute<{ id: string }>(async ({ db, params, user }) => {
  await deleteExchangeAccount({ db, userId: user.id, accountId: params.id })
  return new Response(null, { status: 204 })
})

export const { POST, PUT } = otherMethods('GET', 'PATCH', 'DELETE')

import { createExchangeAccount } from '@/lib/server/exchange-accounts/create-exchange-account'
import { listExchangeAccounts } from '@/lib/server/exchange-accounts/list-exchange-accounts'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZExchangeAccount, ZExchangeAccountList } from '@/lib/server/openapi/exchange-account-schemas'
import { readJsonObject } from '../_lib/read-json-object'

export const dynamic = 'force-dynamic'

const NO_STORE = { 'Cache-Control': 'no-store' }

/** GET → 200 { accounts }: the caller's exchange accounts, each with a key hint, never the keys. */
export const GET = apiRoute(async ({ db, user }) => jsonResponse(ZExchangeAccountList.parse({ accounts: await listExchangeAccounts({ db, userId: user.id }) }), 200, NO_STORE))

/** POST CreateExchangeAccountRequest → 201 ExchangeAccount, its keys tested first (`verified` says how it went). */
export const POST = apiRoute(async ({ req, db, user }) => {
  const account = await createExchangeAccount({ db, userId: user.id, input: await readJsonObject(req) })
  return jsonResponse(ZExchangeAccount.parse(account), 201, NO_STORE)
})

export const { PUT, PATCH, DELETE } = otherMethods('GET', 'POST')

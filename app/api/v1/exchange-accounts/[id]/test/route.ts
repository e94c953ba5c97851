import { testExchangeAccount } from '@/lib/server/exchange-accounts/test-exchange-account'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZExchangeAccountTest } from '@/lib/server/openapi/exchange-account-schemas'

export const dynamic = 'force-dynamic'

/** POST → 200 ExchangeAccountTest: the stored keys tested now; a failed test is an answer, not an error. */
export const POST = apiRoute<{ id: string }>(async ({ db, params, user }) =>
  jsonResponse(ZExchangeAccountTest.parse(await testExchangeAccount({ db, userId: user.id, accountId: params.id })), 200, { 'Cache-Control': 'no-store' }),
)

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

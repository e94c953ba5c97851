import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZConnectionTestResult } from '@/lib/server/openapi/trader-settings-schemas'
import { testTraderConnection } from '@/lib/server/traders/test-trader-connection'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** POST [TestTraderConnectionRequest] → 200 ConnectionTestResult (a failed connection is ok: false, not an error). */
export const POST = apiRoute<{ id: string }>(async ({ req, db, params, user }) => {
  const input = await readJsonObject(req, { optional: true })
  return jsonResponse(ZConnectionTestResult.parse(await testTraderConnection({ db, userId: user.id, traderId: params.id, input })))
})

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZConnectionTestResult } from '@/lib/server/openapi/trader-settings-schemas'
import { testTraderConnection } from '@/lib/server/traders/test-trader-connection'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

type Ctx = { params: Promise<{ id: string }> }

/** POST [TestTraderConnectionRequest] → 200 ConnectionTestResult (a failed connection is ok: false, not an error). */
export const POST = handleRoute(async (req: Request, { params }: Ctx) => {
  const user = await requireApiUser(req)
  const { id } = await params
  const input = await readJsonObject(req, { optional: true })
  return jsonResponse(ZConnectionTestResult.parse(await testTraderConnection({ db: db(), userId: user.id, traderId: id, input })))
})

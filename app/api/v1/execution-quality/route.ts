import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZExecutionQualityQuery } from '@/lib/server/execution/execution-quality-query'
import { executionQualityReport } from '@/lib/server/execution/execution-quality-report'
import { ZExecutionQuality } from '@/lib/server/openapi/execution-quality-schemas'
import { parseQuery } from '../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?traderId=&symbol=&from=&to=&mode= → 200 ExecutionQuality. */
export const GET = apiRoute(async ({ req, db, user }) => {
  const query = parseQuery(req, ZExecutionQualityQuery)
  return jsonResponse(ZExecutionQuality.parse(await executionQualityReport({ db, userId: user.id, query })))
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

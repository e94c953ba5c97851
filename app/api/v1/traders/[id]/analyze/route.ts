import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZAnalysisRequested } from '@/lib/server/openapi/trader-settings-schemas'
import { requestAnalysis } from '@/lib/server/traders/request-analysis'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** POST [{ symbol? }] → 202 AnalysisRequested: the worker runs the trader's analysis cycle now. */
export const POST = apiRoute<{ id: string }>(async ({ req, db, params, user }) => {
  const input = await readJsonObject(req, { optional: true })
  return jsonResponse(ZAnalysisRequested.parse(await requestAnalysis({ db, userId: user.id, traderId: params.id, input })), 202)
})

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

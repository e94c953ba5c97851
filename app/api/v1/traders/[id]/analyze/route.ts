import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZAnalysisRequested } from '@/lib/server/openapi/trader-settings-schemas'
import { requestAnalysis } from '@/lib/server/traders/request-analysis'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

type Ctx = { params: Promise<{ id: string }> }

/** POST [{ symbol? }] → 202 AnalysisRequested: the worker runs the trader's analysis cycle now. */
export const POST = handleRoute(async (req: Request, { params }: Ctx) => {
  const user = await requireApiUser(req)
  const { id } = await params
  const input = await readJsonObject(req, { optional: true })
  return jsonResponse(ZAnalysisRequested.parse(await requestAnalysis({ db: db(), userId: user.id, traderId: id, input })), 202)
})

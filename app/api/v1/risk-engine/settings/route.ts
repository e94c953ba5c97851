import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { updateRiskEngineSettings } from '@/lib/server/groups/risk-engine-views'
import { readJsonObject } from '../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** PATCH { enabled?, dryRun?, lossThresholdPct?, minAgeMinutes?, requireAllPyramids?, maxWinners? } → 200 RiskEngine. */
export const PATCH = apiRoute(async ({ req, db, user }) => jsonResponse(await updateRiskEngineSettings({ db, userId: user.id, input: await readJsonObject(req) })))

export const { GET, POST, PUT, DELETE } = otherMethods('PATCH')

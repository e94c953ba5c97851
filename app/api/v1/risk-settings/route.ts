import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZRiskSettings } from '@/lib/server/openapi/trader-settings-schemas'
import { getUserRiskSettings, updateUserRiskSettings } from '@/lib/server/settings/user-risk-settings'
import { readJsonObject } from '../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** GET → 200 RiskSettings: your time zone and the limits across your traders (judged per account mode and quote currency). */
export const GET = apiRoute(async ({ db, user }) => jsonResponse(ZRiskSettings.parse(await getUserRiskSettings(db, user.id))))

/** PATCH UpdateRiskSettingsRequest → 200 RiskSettings; 400 naming each bad field (e.g. timeZone), nothing written. */
export const PATCH = apiRoute(async ({ req, db, user }) =>
  jsonResponse(ZRiskSettings.parse(await updateUserRiskSettings({ db, userId: user.id, input: await readJsonObject(req) }))),
)

export const { POST, PUT, DELETE } = otherMethods('GET', 'PATCH')

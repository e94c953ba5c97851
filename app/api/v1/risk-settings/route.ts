import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZRiskSettings } from '@/lib/server/openapi/trader-settings-schemas'
import { getUserRiskSettings, updateUserRiskSettings } from '@/lib/server/settings/user-risk-settings'
import { readJsonObject } from '../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** GET → 200 RiskSettings: your time zone and the limits across all of your traders. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  return jsonResponse(ZRiskSettings.parse(await getUserRiskSettings(db(), user.id)))
})

/** PATCH UpdateRiskSettingsRequest → 200 RiskSettings; 400 naming each bad field (e.g. timeZone), nothing written. */
export const PATCH = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  return jsonResponse(ZRiskSettings.parse(await updateUserRiskSettings({ db: db(), userId: user.id, input: await readJsonObject(req) })))
})

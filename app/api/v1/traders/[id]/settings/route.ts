import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZTraderSettings } from '@/lib/server/openapi/trader-settings-schemas'
import { loadTraderSettingsView } from '@/lib/server/traders/trader-settings-view'
import { updateTraderSettings } from '@/lib/server/traders/update-trader-settings'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** GET → 200 TraderSettings (the API key only as set/masked); 404 when it is not the caller's. */
export const GET = apiRoute<{ id: string }>(async ({ db, params, user }) =>
  jsonResponse(ZTraderSettings.parse(await loadTraderSettingsView(db, { userId: user.id, traderId: params.id }))),
)

/** PATCH UpdateTraderSettingsRequest → 200 TraderSettings; 400 naming each bad field, nothing written. */
export const PATCH = apiRoute<{ id: string }>(async ({ req, db, params, user }) => {
  const view = await updateTraderSettings({ db, userId: user.id, traderId: params.id, input: await readJsonObject(req) })
  return jsonResponse(ZTraderSettings.parse(view))
})

export const { POST, PUT, DELETE } = otherMethods('GET', 'PATCH')

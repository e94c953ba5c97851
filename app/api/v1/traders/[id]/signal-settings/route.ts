import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { loadSignalSettingsView, updateSignalSettings } from '@/lib/server/signals/update-signal-settings'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** GET → 200 SignalSettings: how the trader takes webhook signals, and whether a secret is set (its hint only). */
export const GET = apiRoute<{ id: string }>(async ({ db, params, user }) => jsonResponse(await loadSignalSettingsView(db, { userId: user.id, traderId: params.id })))

/** PATCH { maxLagSeconds?, maxPriceDeviationPct?, duplicateWindowSeconds?, defaultStopPct?, defaultSizeQuote? } → 200 SignalSettings. */
export const PATCH = apiRoute<{ id: string }>(async ({ req, db, params, user }) =>
  jsonResponse(await updateSignalSettings({ db, userId: user.id, traderId: params.id, input: await readJsonObject(req) })),
)

export const { POST, PUT, DELETE } = otherMethods('GET', 'PATCH')

import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZTraderSettings } from '@/lib/server/openapi/trader-settings-schemas'
import { loadTraderSettingsView } from '@/lib/server/traders/trader-settings-view'
import { updateTraderSettings } from '@/lib/server/traders/update-trader-settings'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

type Ctx = { params: Promise<{ id: string }> }

/** GET → 200 TraderSettings (the API key only as set/masked); 404 when it is not the caller's. */
export const GET = handleRoute(async (req: Request, { params }: Ctx) => {
  const user = await requireApiUser(req)
  const { id } = await params
  return jsonResponse(ZTraderSettings.parse(await loadTraderSettingsView(db(), { userId: user.id, traderId: id })))
})

/** PATCH UpdateTraderSettingsRequest → 200 TraderSettings; 400 naming each bad field, nothing written. */
export const PATCH = handleRoute(async (req: Request, { params }: Ctx) => {
  const user = await requireApiUser(req)
  const { id } = await params
  const view = await updateTraderSettings({ db: db(), userId: user.id, traderId: id, input: await readJsonObject(req) })
  return jsonResponse(ZTraderSettings.parse(view))
})

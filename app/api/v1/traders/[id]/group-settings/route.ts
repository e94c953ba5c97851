import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { loadGroupSettingsView, updateGroupSettings } from '@/lib/server/groups/update-group-settings'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** GET → 200 GroupSettings: how the trader's signals build position groups. */
export const GET = apiRoute<{ id: string }>(async ({ db, params, user }) => jsonResponse(await loadGroupSettingsView(db, { userId: user.id, traderId: params.id })))

/** PATCH { enabled?, maxPyramids?, pyramidCapitalQuote?, legs?, … } → 200 GroupSettings; open groups keep theirs. */
export const PATCH = apiRoute<{ id: string }>(async ({ req, db, params, user }) =>
  jsonResponse(await updateGroupSettings({ db, userId: user.id, traderId: params.id, input: await readJsonObject(req) })),
)

export const { POST, PUT, DELETE } = otherMethods('GET', 'PATCH')

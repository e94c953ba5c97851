import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { setGroupRiskControls } from '@/lib/server/groups/risk-engine-views'
import { readJsonObject } from '../../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** PATCH { blocked?, skipOnce? } → 200 RiskEngine: block the group from the risk engine, or have it passed over once. */
export const PATCH = apiRoute<{ id: string }>(async ({ req, db, params, user }) =>
  jsonResponse(await setGroupRiskControls({ db, userId: user.id, groupId: params.id, input: await readJsonObject(req) })),
)

export const { GET, POST, PUT, DELETE } = otherMethods('PATCH')

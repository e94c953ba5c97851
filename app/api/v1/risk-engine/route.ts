import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { loadRiskEngineView } from '@/lib/server/groups/risk-engine-views'

export const dynamic = 'force-dynamic'

/** GET → 200 RiskEngine: its settings, every open group with its PnL and whether it qualifies as the loser, and the last decisions. */
export const GET = apiRoute(async ({ db, user }) => jsonResponse(await loadRiskEngineView(db, user.id)))

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

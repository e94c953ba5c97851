import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { runRiskEngineNow } from '@/lib/server/groups/risk-engine-views'

export const dynamic = 'force-dynamic'

/** POST → 200 { run, message }: one decision now (acting unless in dry run); run null when no group qualifies. 409 when it is off or a run is acting. */
export const POST = apiRoute(async ({ db, user, actor }) => jsonResponse(await runRiskEngineNow({ db, userId: user.id, actor })))

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

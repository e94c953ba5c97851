import { listDecisions, ZListDecisionsQuery } from '@/lib/server/decisions/list-decisions'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZDecisionList } from '@/lib/server/openapi/decision-schemas'
import { parseQuery } from '../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?traderId=&positionId=&symbol=&action=&outcome=&limit=&cursor= → 200 { decisions, nextCursor }: the journal, newest first. */
export const GET = apiRoute(async ({ req, db, user }) => {
  const filter = parseQuery(req, ZListDecisionsQuery)
  return jsonResponse(ZDecisionList.parse(await listDecisions({ db, userId: user.id, filter })))
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

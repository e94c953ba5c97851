import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { listDecisions, ZListDecisionsQuery } from '@/lib/server/decisions/list-decisions'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZDecisionList } from '@/lib/server/openapi/decision-schemas'
import { parseQuery } from '../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?traderId=&positionId=&symbol=&action=&outcome=&limit=&cursor= → 200 { decisions, nextCursor }: the journal, newest first. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  const filter = parseQuery(req, ZListDecisionsQuery)
  return jsonResponse(ZDecisionList.parse(await listDecisions({ db: db(), userId: user.id, filter })))
})

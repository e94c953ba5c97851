import { parseQuery } from '@/app/api/v1/_lib/parse-query'
import { listDecisions, ZListDecisionsQuery } from '@/lib/server/decisions/list-decisions'
import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'

export const dynamic = 'force-dynamic'

/** The journal page's list (same filters as /api/v1/decisions), for its React Query refetches. */
export const GET = apiRoute(async ({ req, db, user }) => {
  const filter = parseQuery(req, ZListDecisionsQuery)
  return jsonResponse(await listDecisions({ db, userId: user.id, filter }), 200, { 'Cache-Control': 'no-store' })
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { listGroups } from '@/lib/server/groups/group-views'
import { ZListGroupsQuery } from '@/lib/server/openapi/query-schemas'
import { parseQuery } from '../../../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?state=active|closed&limit= → 200 { groups }: the trader's position groups with their pyramids and legs, newest first. */
export const GET = apiRoute<{ id: string }>(async ({ req, db, params, user }) => {
  const q = parseQuery(req, ZListGroupsQuery)
  return jsonResponse({ groups: await listGroups(db, user.id, { traderId: params.id, state: q.state, limit: q.limit }) })
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

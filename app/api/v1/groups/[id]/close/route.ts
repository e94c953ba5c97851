import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { closeGroup } from '@/lib/server/groups/close-group'
import { getGroup } from '@/lib/server/groups/group-views'

export const dynamic = 'force-dynamic'

/** POST → 200 Group: the group stops placing legs, its waiting legs are canceled, its resting entries canceled and what it holds sold at market. 409 when it is not open. */
export const POST = apiRoute<{ id: string }>(async ({ db, params, user, actor }) => {
  await closeGroup({ db, userId: user.id, groupId: params.id, actor, reason: 'Closed by hand', strict: true })
  return jsonResponse(await getGroup(db, user.id, params.id))
})

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { getGroup } from '@/lib/server/groups/group-views'

export const dynamic = 'force-dynamic'

/** GET → 200 Group: one position group with its pyramids and legs. */
export const GET = apiRoute<{ id: string }>(async ({ db, params, user }) => jsonResponse(await getGroup(db, user.id, params.id)))

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

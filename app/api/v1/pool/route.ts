import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { loadPoolView } from '@/lib/server/groups/pool-views'

export const dynamic = 'force-dynamic'

/** GET → 200 Pool: the user's group pool (settings, slots), its queue in rank order, and what left it lately. */
export const GET = apiRoute(async ({ db, user }) => jsonResponse(await loadPoolView(db, user.id)))

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

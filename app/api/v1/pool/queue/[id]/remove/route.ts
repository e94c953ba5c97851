import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { removeQueueEntry } from '@/lib/server/groups/pool-views'

export const dynamic = 'force-dynamic'

/** POST → 200 Pool: the waiting entry leaves the queue and its signal is rejected ("removed by hand"); 409 when it no longer waits. */
export const POST = apiRoute<{ id: string }>(async ({ db, params, user }) => jsonResponse(await removeQueueEntry({ db, userId: user.id, entryId: params.id })))

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { promoteQueueEntry } from '@/lib/server/groups/pool-views'

export const dynamic = 'force-dynamic'

/** POST → 200 Pool: the waiting entry takes the next free slot, ahead of its rank; 409 when the pool is full or it no longer waits. */
export const POST = apiRoute<{ id: string }>(async ({ db, params, user }) => jsonResponse(await promoteQueueEntry({ db, userId: user.id, entryId: params.id })))

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

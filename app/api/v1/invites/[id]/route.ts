import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { revokeInvite } from '@/lib/server/invites/revoke-invite'

export const dynamic = 'force-dynamic'

/** Admin: DELETE → 204; the link stops working. 404 for an unknown or already used invite. */
export const DELETE = apiRoute<{ id: string }>(async ({ db, params }) => {
  await revokeInvite(db, params.id)
  return new Response(null, { status: 204 })
}, 'admin')

export const { GET, POST, PUT, PATCH } = otherMethods('DELETE')

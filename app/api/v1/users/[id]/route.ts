import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { removeUser } from '@/lib/server/users/remove-user'

export const dynamic = 'force-dynamic'

/** Admin: DELETE → 204. 403 for yourself, 409 for the last admin or while the user has open positions or resting orders. */
export const DELETE = apiRoute<{ id: string }>(async ({ db, params, user }) => {
  await removeUser({ db, actingUserId: user.id, userId: params.id })
  return new Response(null, { status: 204 })
}, 'admin')

export const { GET, POST, PUT, PATCH } = otherMethods('DELETE')

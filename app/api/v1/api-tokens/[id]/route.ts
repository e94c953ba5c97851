import { revokeUserApiToken } from '@/lib/server/auth/api-tokens'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'

export const dynamic = 'force-dynamic'

/** DELETE → 204: the token stops working at once. 404 for a token that is not yours. */
export const DELETE = apiRoute<{ id: string }>(async ({ db, params, user }) => {
  await revokeUserApiToken({ db, userId: user.id, tokenId: params.id })
  return new Response(null, { status: 204 })
})

export const { GET, POST, PUT, PATCH } = otherMethods('DELETE')

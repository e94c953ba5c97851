import { changePassword } from '@/lib/server/auth/change-password'
import { sessionFromRequest } from '@/lib/server/auth/current-user'
import { sessionCookieFor, setCookieHeader } from '@/lib/server/auth/session-cookie'
import { apiRoute } from '@/lib/server/http/api-route'
import { clientAddress } from '@/lib/server/http/client-address'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZPasswordChanged } from '@/lib/server/openapi/account-schemas'
import { readJsonObject } from '../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/**
 * POST { currentPassword, newPassword } → 200 { revokedApiTokens, sessionRenewed }. Every other
 * session and every API token (including a token used for this call) stop working; a browser
 * session making the call gets a new cookie under the new session version.
 */
export const POST = apiRoute(async ({ req, db, user }) => {
  const changed = await changePassword({ db, userId: user.id, input: await readJsonObject(req), address: clientAddress(req.headers) })
  const headers = new Headers({ 'Cache-Control': 'no-store' })
  const session = req.headers.get('authorization') ? null : await sessionFromRequest(req)
  if (session) headers.append('Set-Cookie', setCookieHeader(await sessionCookieFor(changed.user, changed.sessionVersion, session.secureCookie)))
  return jsonResponse(ZPasswordChanged.parse({ revokedApiTokens: changed.revokedApiTokens, sessionRenewed: session !== null }), 200, headers)
})

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

import { issueApiTokenForCredentials, ZIssueApiTokenRequest } from '@/lib/server/auth/api-tokens'
import { apiRoute } from '@/lib/server/http/api-route'
import { clientAddress } from '@/lib/server/http/client-address'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse, parseJsonBody } from '@/lib/server/http/json-response'

/**
 * POST { email, password, name?, expiresInDays? } → 201 { token, prefix }. The token is shown
 * only here, once. Rate-limited per email and per client address (429 with Retry-After).
 */
export const POST = apiRoute(async ({ req, db }) => {
  const input = await parseJsonBody(req, ZIssueApiTokenRequest)
  const issued = await issueApiTokenForCredentials(db, input, { address: clientAddress(req.headers) })
  return jsonResponse({ token: issued.token, prefix: issued.prefix }, 201, { 'Cache-Control': 'no-store' })
}, 'public')

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

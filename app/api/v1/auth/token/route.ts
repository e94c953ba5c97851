import { db } from '@/lib/db/client'
import { issueApiTokenForCredentials, ZIssueApiTokenRequest } from '@/lib/server/auth/api-tokens'
import { handleRoute, jsonResponse, parseJsonBody } from '@/lib/server/http/json-response'

/** POST { email, password, name? } → 201 { token, prefix }. The token is shown only here, once. */
export const POST = handleRoute(async (req: Request) => {
  const input = await parseJsonBody(req, ZIssueApiTokenRequest)
  const issued = await issueApiTokenForCredentials(db(), input)
  return jsonResponse({ token: issued.token, prefix: issued.prefix }, 201, { 'Cache-Control': 'no-store' })
})

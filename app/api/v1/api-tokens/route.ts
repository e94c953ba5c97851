import { createApiToken, listApiTokens } from '@/lib/server/auth/api-tokens'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { apiTokenInfo, createdApiToken, ZApiTokenList, ZCreatedApiToken } from '@/lib/server/openapi/account-schemas'
import { readJsonObject } from '../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** GET → 200 { tokens }: name, prefix, dates and status; never the token itself. */
export const GET = apiRoute(async ({ db, user }) => {
  const tokens = await listApiTokens({ db, userId: user.id })
  return jsonResponse(ZApiTokenList.parse({ tokens: tokens.map(apiTokenInfo) }), 200, { 'Cache-Control': 'no-store' })
})

/** POST { name, expiresInDays? | expiresAt? } → 201 { token, apiToken }. The token is shown only here. */
export const POST = apiRoute(async ({ req, db, user }) => {
  const issued = await createApiToken({ db, userId: user.id, input: await readJsonObject(req) })
  return jsonResponse(ZCreatedApiToken.parse(createdApiToken(issued)), 201, { 'Cache-Control': 'no-store' })
})

export const { PUT, PATCH, DELETE } = otherMethods('GET', 'POST')

import { z } from 'zod'
import { ZCreateApiTokenRequest, type ApiTokenView, type IssuedApiToken } from '@/lib/server/auth/api-tokens'
import { ZChangePasswordRequest } from '@/lib/server/auth/change-password'
import { doc } from './response-schemas'

/**
 * The signed-in user's own account: API tokens and password. Response shapes go into the shared
 * response registry; request bodies and paths are added to the OpenAPI document from here.
 */
const timestamp = () => doc(z.string(), { format: 'date-time', description: 'ISO 8601 timestamp (UTC).' })

export const ZApiTokenInfo = doc(
  z.object({
    id: z.string(),
    name: z.string(),
    prefix: doc(z.string(), { description: 'First characters of the token, to tell tokens apart. The full token is never shown again.' }),
    createdAt: timestamp(),
    lastUsedAt: timestamp().nullable(),
    expiresAt: doc(z.string().nullable(), { format: 'date-time', description: 'Null: never expires.' }),
    revokedAt: timestamp().nullable(),
    status: z.enum(['active', 'expired', 'revoked']),
  }),
  { id: 'ApiTokenInfo' },
)
export const ZApiTokenList = doc(z.object({ tokens: z.array(ZApiTokenInfo) }), { id: 'ApiTokenList' })
export const ZCreatedApiToken = doc(
  z.object({
    token: doc(z.string(), { description: 'Send as `Authorization: Bearer <token>`. Shown only in this answer: only its SHA-256 is stored.' }),
    apiToken: ZApiTokenInfo,
  }),
  { id: 'CreatedApiToken' },
)
export const ZPasswordChanged = doc(
  z.object({
    revokedApiTokens: doc(z.number().int(), { description: 'How many API tokens were revoked with the old password (all of them).' }),
    sessionRenewed: doc(z.boolean(), {
      description: 'True when the request came from a browser session: its cookie is replaced, so it stays signed in. Every other session is signed out.',
    }),
  }),
  { id: 'PasswordChanged' },
)

const iso = (d: Date | null) => (d ? d.toISOString() : null)

export function apiTokenInfo(t: ApiTokenView): z.input<typeof ZApiTokenInfo> {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: iso(t.lastUsedAt),
    expiresAt: iso(t.expiresAt),
    revokedAt: iso(t.revokedAt),
    status: t.status,
  }
}

export function createdApiToken(t: IssuedApiToken): z.input<typeof ZCreatedApiToken> {
  return {
    token: t.token,
    apiToken: apiTokenInfo({ ...t, lastUsedAt: null, revokedAt: null, status: 'active' }),
  }
}

type Json = Record<string, unknown>
type Registry = { add(schema: z.ZodType, meta: { id: string; description?: string }): unknown }

export function registerAccountRequests(reg: Registry) {
  reg.add(ZCreateApiTokenRequest, {
    id: 'CreateApiTokenRequest',
    description:
      'name (1–100 characters). Optional lifetime: expiresInDays (1–3650) or expiresAt (an ISO date, meaning the end of that day UTC, or date-time in the future), not both. Without either the token never expires.',
  })
  reg.add(ZChangePasswordRequest, { id: 'ChangePasswordRequest', description: `newPassword: at least 10 characters, different from the current one.` })
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` })
const json = (schema: Json) => ({ 'application/json': { schema } })
const ok = (description: string, id: string) => ({ description, content: json(ref(id)) })
const err = (description: string) => ({ description, content: json(ref('Error')) })

const E400 = err('Invalid input or malformed JSON; `error.fields` names each invalid field.')
const E401 = err('Missing, invalid, expired or revoked credentials.')
const retryAfter = { 'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } } }
/** The answers of every route that checks a password: rate limited, or every hashing slot busy. */
export const E429 = { ...err('Too many password attempts for this account or from this address.'), headers: retryAfter }
export const E503 = { ...err('The server is busy checking passwords.'), headers: retryAfter }

export function accountPaths(): Record<string, Json> {
  return {
    '/api/v1/api-tokens': {
      get: {
        tags: ['auth'],
        operationId: 'listApiTokens',
        summary: 'Your API tokens: name, prefix, created, last used, expiry, revoked',
        description: 'Newest first, including expired and revoked ones. The tokens themselves are never returned.',
        responses: { 200: ok('Tokens', 'ApiTokenList'), 401: E401 },
      },
      post: {
        tags: ['auth'],
        operationId: 'createApiToken',
        summary: 'Create an API token, optionally expiring',
        requestBody: { required: true, content: json(ref('CreateApiTokenRequest')) },
        responses: { 201: ok('The token, shown only this once', 'CreatedApiToken'), 400: E400, 401: E401 },
      },
    },
    '/api/v1/api-tokens/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, description: 'The API token id.', schema: { type: 'string' } }],
      delete: {
        tags: ['auth'],
        operationId: 'revokeApiToken',
        summary: 'Revoke one of your API tokens (it stops working at once)',
        responses: { 204: { description: 'Revoked (also when it already was)' }, 401: E401, 404: err('No such token of yours.') },
      },
    },
    '/api/v1/account/password': {
      post: {
        tags: ['auth'],
        operationId: 'changePassword',
        summary: 'Change your password; signs out your other sessions and revokes your API tokens',
        description:
          'Checks currentPassword (rate-limited like sign-in), stores the new one, ends every existing session and revokes every API token of yours, ' +
          'including the one used for this request. A browser session making the request gets a new cookie and stays signed in.',
        requestBody: { required: true, content: json(ref('ChangePasswordRequest')) },
        responses: { 200: ok('Changed', 'PasswordChanged'), 400: E400, 401: E401, 429: E429, 503: E503 },
      },
    },
  }
}

import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { sqlOf, type Db, type DbTx } from '@/lib/db/client'
import { authenticateWithLimits } from '@/lib/server/auth/sign-in-attempts'
import type { AuthUser } from '@/lib/server/auth/users'
import { hashToken } from '@/lib/server/auth/token-hash'
import { fromZodError, notFound, unauthenticated } from '@/lib/server/errors/app-error'
import { textField } from '@/lib/server/validation/text-field'

const TOKEN_PREFIX = 'tl_'
const SHOWN_PREFIX_LENGTH = 10
// lastUsedAt is informational; writing it on every request would turn each read into a write.
const LAST_USED_RESOLUTION_MS = 60_000

export interface IssuedApiToken {
  id: string
  /** The plaintext token. Returned once; only its SHA-256 is stored. */
  token: string
  /** First characters, stored in clear so a person can tell tokens apart. */
  prefix: string
  name: string
  createdAt: Date
  /** Null: never expires. */
  expiresAt: Date | null
}

export const hashApiToken = hashToken

export async function issueApiToken(
  db: DbTx,
  userId: string,
  name: string,
  opts: { expiresAt?: Date | null } = {},
): Promise<IssuedApiToken> {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url')
  const prefix = token.slice(0, SHOWN_PREFIX_LENGTH)
  const row = await db.apiToken.create({
    data: { userId, name, tokenHash: hashApiToken(token), prefix, expiresAt: opts.expiresAt ?? null },
    select: { id: true, name: true, createdAt: true, expiresAt: true },
  })
  return { id: row.id, token, prefix, name: row.name, createdAt: row.createdAt, expiresAt: row.expiresAt }
}

const MAX_EXPIRY_DAYS = 3650
const DAY_MS = 24 * 60 * 60 * 1000

const ZTokenName = textField({ max: 100 }).min(1, 'name must not be empty')

const ZExpiresInDays = z
  .number({ error: 'expiresInDays must be a whole number of days' })
  .int('expiresInDays must be a whole number of days')
  .min(1, 'expiresInDays must be at least 1')
  .max(MAX_EXPIRY_DAYS, `expiresInDays must be at most ${MAX_EXPIRY_DAYS}`)

/** POST /api/v1/api-tokens and the Settings form: a name and an optional lifetime. */
export const ZCreateApiTokenRequest = z
  .strictObject({
    name: ZTokenName,
    expiresInDays: ZExpiresInDays.nullable().optional(),
    expiresAt: z.iso
      .datetime({ offset: true, error: 'expiresAt must be an ISO 8601 date-time, e.g. 2027-01-31T00:00:00Z' })
      .or(z.iso.date({ error: 'expiresAt must be an ISO 8601 date or date-time' }))
      .nullable()
      .optional(),
  })
  .refine((v) => v.expiresInDays == null || v.expiresAt == null, {
    path: ['expiresAt'],
    message: 'give expiresInDays or expiresAt, not both',
  })
export type CreateApiTokenRequest = z.input<typeof ZCreateApiTokenRequest>

/** When a token created now with this input expires; VALIDATION for a date not in the future. */
function expiryOf(input: z.output<typeof ZCreateApiTokenRequest>, now: Date): Date | null {
  if (input.expiresInDays != null) return new Date(now.getTime() + input.expiresInDays * DAY_MS)
  if (input.expiresAt == null) return null
  // A bare date means the end of that day (UTC), so "expires 2027-01-31" includes the 31st.
  const at = input.expiresAt.length === 10 ? new Date(`${input.expiresAt}T23:59:59.999Z`) : new Date(input.expiresAt)
  if (!(at.getTime() > now.getTime())) {
    throw fromZodError(new z.ZodError([{ code: 'custom', path: ['expiresAt'], message: 'expiresAt must be in the future', input: input.expiresAt }]))
  }
  if (at.getTime() - now.getTime() > MAX_EXPIRY_DAYS * DAY_MS) {
    throw fromZodError(new z.ZodError([{ code: 'custom', path: ['expiresAt'], message: `expiresAt must be within ${MAX_EXPIRY_DAYS} days`, input: input.expiresAt }]))
  }
  return at
}

/** Creates a token for a signed-in user (API or Settings). The plaintext is in the result only. */
export async function createApiToken(opts: { db: DbTx; userId: string; input: unknown; now?: Date }): Promise<IssuedApiToken> {
  const parsed = ZCreateApiTokenRequest.safeParse(opts.input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const now = opts.now ?? new Date()
  return issueApiToken(opts.db, opts.userId, parsed.data.name, { expiresAt: expiryOf(parsed.data, now) })
}

export type ApiTokenStatus = 'active' | 'expired' | 'revoked'

/** A token as listed: never its hash or plaintext. */
export interface ApiTokenView {
  id: string
  name: string
  prefix: string
  createdAt: Date
  lastUsedAt: Date | null
  expiresAt: Date | null
  revokedAt: Date | null
  status: ApiTokenStatus
}

export function apiTokenStatus(row: { revokedAt: Date | null; expiresAt: Date | null }, now: Date): ApiTokenStatus {
  if (row.revokedAt) return 'revoked'
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return 'expired'
  return 'active'
}

/** The user's tokens, newest first, including revoked and expired ones (so their history shows). */
export async function listApiTokens(opts: { db: DbTx; userId: string; now?: Date }): Promise<ApiTokenView[]> {
  const now = opts.now ?? new Date()
  const rows = await opts.db.apiToken.findMany({
    where: { userId: opts.userId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, expiresAt: true, revokedAt: true },
  })
  return rows.map((r) => ({ ...r, status: apiTokenStatus(r, now) }))
}

/**
 * Revokes one of the user's tokens (API DELETE and Settings). Revoking a revoked token again is a
 * no-op; another user's token, or none, is NOT_FOUND.
 */
export async function revokeUserApiToken(opts: { db: DbTx; userId: string; tokenId: string }): Promise<void> {
  const row = await opts.db.apiToken.findFirst({ where: { id: opts.tokenId, userId: opts.userId }, select: { id: true } })
  if (!row) throw notFound('API token')
  await revokeApiToken(opts.db, opts.userId, opts.tokenId)
}

/** Revokes every active token of the user (password change); returns how many. */
export async function revokeAllApiTokens(db: DbTx, userId: string, now: Date = new Date()): Promise<number> {
  const { count } = await db.apiToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } })
  return count
}

/** Revokes one of the user's tokens; returns false when there is no such active token. */
export async function revokeApiToken(db: DbTx, userId: string, tokenId: string): Promise<boolean> {
  const { count } = await db.apiToken.updateMany({
    where: { id: tokenId, userId, revokedAt: null },
    data: { revokedAt: new Date() },
  })
  return count === 1
}

/** The bearer token in an `Authorization` header value, or null when there is none. */
export function bearerToken(authorizationHeader: string | null | undefined): string | null {
  if (!authorizationHeader) return null
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorizationHeader)
  return match ? match[1] : null
}

type ApiTokenCheck = {
  id: string; revokedAt: Date | null; expiresAt: Date | null; lastUsedAt: Date | null
  userId: string; email: string; name: string | null; role: AuthUser['role']; createdAt: Date
}

/** The owner of a valid (unrevoked, unexpired) API token given as `Bearer <token>`, or null. */
export async function userFromBearer(
  db: Db,
  authorizationHeader: string | null | undefined,
  now: Date = new Date(),
): Promise<AuthUser | null> {
  const token = bearerToken(authorizationHeader)
  if (!token || !token.startsWith(TOKEN_PREFIX)) return null
  // Lookup by hash: no timing leak about the plaintext, and the DB never sees it.
  // Token and owner in one statement: every API request starts here.
  const [row] = await sqlOf(db).$queryRaw<ApiTokenCheck[]>`
    SELECT t.id, t."revokedAt", t."expiresAt", t."lastUsedAt", u.id AS "userId", u.email, u.name, u.role::text AS role, u."createdAt"
    FROM "ApiToken" t JOIN "User" u ON u.id = t."userId" WHERE t."tokenHash" = ${hashApiToken(token)}`
  if (!row || row.revokedAt) return null
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return null
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    // Conditional update so concurrent requests write at most once per interval.
    await db.apiToken.updateMany({
      where: {
        id: row.id,
        OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }],
      },
      data: { lastUsedAt: now },
    })
  }
  return { id: row.userId, email: row.email, name: row.name, role: row.role, createdAt: row.createdAt }
}

export const ZIssueApiTokenRequest = z.strictObject({
  email: textField({ max: 254 }).min(1, 'email is required'),
  // Compared with a hash, never stored or queried: only its length is bounded.
  password: z.string({ error: 'password is required' }).min(1, 'password is required').max(1024, 'password must be at most 1024 characters'),
  name: textField({ max: 100 }).min(1, 'name must not be empty').optional(),
  expiresInDays: ZExpiresInDays.nullable().optional(),
})
export type IssueApiTokenRequest = z.infer<typeof ZIssueApiTokenRequest>

/**
 * Exchanges an email and password for a new API token; UNAUTHENTICATED on bad credentials,
 * RATE_LIMITED (429) after too many attempts for the email or from the address, BUSY (503)
 * when password checks are saturated.
 */
export async function issueApiTokenForCredentials(
  db: DbTx,
  input: IssueApiTokenRequest,
  ctx: { address: string | null } = { address: null },
): Promise<IssuedApiToken> {
  const user = await authenticateWithLimits(db, { email: input.email, password: input.password, address: ctx.address })
  if (!user) throw unauthenticated('invalid email or password')
  const expiresAt = input.expiresInDays != null ? new Date(Date.now() + input.expiresInDays * DAY_MS) : null
  return issueApiToken(db, user.id, input.name ?? 'API token', { expiresAt })
}

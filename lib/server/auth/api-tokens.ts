import { createHash, randomBytes } from 'node:crypto'
import { z } from 'zod'
import type { DbTx } from '@/lib/db/client'
import { authenticate, type AuthUser } from '@/lib/server/auth/users'
import { unauthenticated } from '@/lib/server/errors/app-error'
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
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

export async function issueApiToken(db: DbTx, userId: string, name: string): Promise<IssuedApiToken> {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url')
  const prefix = token.slice(0, SHOWN_PREFIX_LENGTH)
  const row = await db.apiToken.create({
    data: { userId, name, tokenHash: hashApiToken(token), prefix },
    select: { id: true, name: true, createdAt: true },
  })
  return { id: row.id, token, prefix, name: row.name, createdAt: row.createdAt }
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

/** The owner of a valid, unrevoked API token given as `Bearer <token>`, or null. */
export async function userFromBearer(
  db: DbTx,
  authorizationHeader: string | null | undefined,
  now: Date = new Date(),
): Promise<AuthUser | null> {
  const token = bearerToken(authorizationHeader)
  if (!token || !token.startsWith(TOKEN_PREFIX)) return null
  // Lookup by hash: no timing leak about the plaintext, and the DB never sees it.
  const row = await db.apiToken.findUnique({
    where: { tokenHash: hashApiToken(token) },
    select: {
      id: true,
      revokedAt: true,
      lastUsedAt: true,
      user: { select: { id: true, email: true, name: true, role: true, createdAt: true } },
    },
  })
  if (!row || row.revokedAt) return null
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
  return row.user
}

export const ZIssueApiTokenRequest = z.object({
  email: textField({ max: 254 }).min(1, 'email is required'),
  // Compared with a hash, never stored or queried: only its length is bounded.
  password: z.string({ error: 'password is required' }).min(1, 'password is required').max(1024, 'password must be at most 1024 characters'),
  name: textField({ max: 100 }).min(1, 'name must not be empty').optional(),
})
export type IssueApiTokenRequest = z.infer<typeof ZIssueApiTokenRequest>

/** Exchanges an email and password for a new API token; UNAUTHENTICATED on bad credentials. */
export async function issueApiTokenForCredentials(db: DbTx, input: IssueApiTokenRequest): Promise<IssuedApiToken> {
  const user = await authenticate(db, input.email, input.password)
  if (!user) throw unauthenticated('invalid email or password')
  return issueApiToken(db, user.id, input.name ?? 'API token')
}

import { createHash } from 'node:crypto'
import pg from 'pg'
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'
import type { DbTx } from '@/lib/db/client'
import { authenticate, type AuthUser } from '@/lib/server/auth/users'
import { rateLimited } from '@/lib/server/errors/app-error'

/**
 * Password-guessing limits, shared by the sign-in form (next-auth) and POST /api/v1/auth/token.
 * Counters live in PostgreSQL (RateLimiterPostgres) so every web process sharing the database
 * shares them and a restart does not reset them; if the database cannot be reached the counters
 * fall back to this process's memory rather than letting attempts through uncounted.
 */
export const SIGN_IN_LIMITS = {
  /** Failed attempts for one account (email) per window; a successful sign-in clears them. */
  perEmail: { points: 10, durationSeconds: 15 * 60 },
  /** Attempts from one client address per window, whatever account they name. */
  perAddress: { points: 30, durationSeconds: 15 * 60 },
} as const

// Outside Prisma's `public` schema, so migrations and drift checks never see the table.
const SCHEMA = 'rate_limit'
const TABLE = 'counters'

interface Limiters {
  email: RateLimiterAbstract
  address: RateLimiterAbstract
  pool?: pg.Pool
}

// Keyed by database URL: tests point the process at a fresh database per file.
const globalForLimits = globalThis as unknown as { __signInLimiters?: Map<string, Promise<Limiters>> }

async function createTable(pool: pg.Pool) {
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`)
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${SCHEMA}.${TABLE} (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
    )
  } catch (err) {
    // Two processes creating it at once: the loser sees a unique violation; the table exists.
    if ((err as { code?: string }).code !== '23505' && (err as { code?: string }).code !== '42P06') throw err
  }
}

async function buildLimiters(url: string | undefined): Promise<Limiters> {
  const memory = (keyPrefix: string, points: number, duration: number) => new RateLimiterMemory({ keyPrefix, points, duration })
  const specs = {
    email: ['signin-email', SIGN_IN_LIMITS.perEmail.points, SIGN_IN_LIMITS.perEmail.durationSeconds],
    address: ['signin-address', SIGN_IN_LIMITS.perAddress.points, SIGN_IN_LIMITS.perAddress.durationSeconds],
  } as const
  if (!url) return { email: memory(...specs.email), address: memory(...specs.address) }
  const pool = new pg.Pool({ connectionString: url, max: 2, idleTimeoutMillis: 10_000 })
  // An idle-connection error must not crash the process; the next query reconnects.
  pool.on('error', (err: Error & { code?: string }) => {
    // 57P01: the server ended an idle connection (restart, or a test dropping its database).
    if (err.code !== '57P01') console.error('[auth] rate-limit pool error:', err.message)
  })
  try {
    await createTable(pool)
  } catch (err) {
    console.error('[auth] rate-limit table unavailable, counting attempts in memory:', (err as Error).message)
    await pool.end().catch(() => {})
    return { email: memory(...specs.email), address: memory(...specs.address) }
  }
  const store = (keyPrefix: string, points: number, duration: number) =>
    new RateLimiterPostgres({
      storeClient: pool,
      storeType: 'pool',
      schemaName: SCHEMA,
      tableName: TABLE,
      tableCreated: true,
      keyPrefix,
      points,
      duration,
      insuranceLimiter: memory(keyPrefix, points, duration),
    })
  return { email: store(...specs.email), address: store(...specs.address), pool }
}

function limiters(): Promise<Limiters> {
  const url = process.env.DATABASE_URL ?? ''
  const cache = (globalForLimits.__signInLimiters ??= new Map())
  let entry = cache.get(url)
  if (!entry) {
    entry = buildLimiters(url || undefined)
    entry.catch(() => cache.delete(url))
    cache.set(url, entry)
  }
  return entry
}

/** Closes the counters' database connections (tests, before dropping their database). */
export async function closeSignInAttemptCounters(): Promise<void> {
  const cache = globalForLimits.__signInLimiters
  if (!cache) return
  const entries = [...cache.values()]
  cache.clear()
  await Promise.all(entries.map((e) => e.then((l) => l.pool?.end(), () => undefined)))
}

export interface AttemptKeys {
  email: string
  /** See clientAddress(); null when unknown (in-process calls), which skips the address limit. */
  address: string | null
}

// The email is hashed: the counters table should not become a list of who tried which account.
function emailKey(email: string): string | null {
  const normalized = email.trim().toLowerCase()
  return normalized ? createHash('sha256').update(normalized).digest('hex') : null
}

/**
 * Counts one attempt against the email and the address. Throws AppError RATE_LIMITED (429, with
 * Retry-After) when either is over its limit. Counting before checking the password, rather
 * than after a failure, keeps concurrent guesses from all slipping past the check.
 */
export async function consumeSignInAttempt(keys: AttemptKeys): Promise<void> {
  const l = await limiters()
  const email = emailKey(keys.email)
  const results = await Promise.allSettled([
    email ? l.email.consume(email) : Promise.resolve(null),
    keys.address ? l.address.consume(keys.address) : Promise.resolve(null),
  ])
  let waitMs = 0
  for (const r of results) {
    if (r.status === 'fulfilled') continue
    // A RateLimiterRes rejection means "over the limit"; anything else is a store failure that
    // even the memory fallback could not absorb.
    if (!(r.reason instanceof RateLimiterRes)) throw r.reason
    waitMs = Math.max(waitMs, r.reason.msBeforeNext)
  }
  if (waitMs > 0) {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000))
    throw rateLimited(`too many sign-in attempts; try again in ${seconds} s`, seconds)
  }
}

/** A correct password: clear the account's failures and do not count the attempt against the address. */
async function recordSuccess(keys: AttemptKeys): Promise<void> {
  const l = await limiters()
  const email = emailKey(keys.email)
  await Promise.all([email ? l.email.delete(email) : null, keys.address ? l.address.reward(keys.address) : null])
}

/** An attempt that never reached a verdict (server busy): it should not count against anyone. */
async function refund(keys: AttemptKeys): Promise<void> {
  const l = await limiters()
  const email = emailKey(keys.email)
  await Promise.all([email ? l.email.reward(email) : null, keys.address ? l.address.reward(keys.address) : null])
}

/**
 * authenticate() behind the sign-in limits: RATE_LIMITED (429) when over a limit, BUSY (503)
 * when password hashing is saturated, null for a wrong email or password.
 */
export async function authenticateWithLimits(
  db: DbTx,
  input: { email: string; password: string; address: string | null },
): Promise<AuthUser | null> {
  const keys = { email: input.email, address: input.address }
  await consumeSignInAttempt(keys)
  let user: AuthUser | null
  try {
    user = await authenticate(db, input.email, input.password)
  } catch (err) {
    await refund(keys).catch(() => {})
    throw err
  }
  if (user) await recordSuccess(keys)
  return user
}

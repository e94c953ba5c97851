import { z } from 'zod'
import type { Env } from '@/lib/config/env'
import type { Db, DbTx } from '@/lib/db/client'
import { AppError, conflict, fromZodError } from '@/lib/server/errors/app-error'
import { hashPassword, verifyPassword } from '@/lib/server/auth/password'
import { textField } from '@/lib/server/validation/text-field'

/** What the application knows about a signed-in person; never includes the password hash. */
export interface AuthUser {
  id: string
  email: string
  name: string | null
  role: 'ADMIN' | 'MEMBER'
  createdAt: Date
}

const authUserSelect = { id: true, email: true, name: true, role: true, createdAt: true } as const

export const PASSWORD_MIN_LENGTH = 10

export const ZEmail = z
  .string({ error: 'email is required' })
  .trim()
  .min(1, 'email is required')
  .pipe(z.email({ error: 'enter a valid email address' }))
  .transform((e) => e.toLowerCase())

export const ZNewPassword = z
  .string({ error: 'password is required' })
  .min(PASSWORD_MIN_LENGTH, `password must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(1024, 'password must be at most 1024 characters')

export const ZCreateFirstAdmin = z.object({
  email: ZEmail,
  password: ZNewPassword,
  name: textField({ max: 100 })
    .transform((n) => (n === '' ? undefined : n))
    .optional(),
})
export type CreateFirstAdminInput = z.input<typeof ZCreateFirstAdmin>

// Any fixed 64-bit key: serialises first-user creation across every process sharing the database.
const FIRST_ADMIN_LOCK_KEY = 7_316_420_001

export async function countUsers(db: DbTx): Promise<number> {
  return db.user.count()
}

/**
 * Creates the first account. Allowed only while no user exists: a second call, or the loser of
 * two concurrent calls, gets CONFLICT. An advisory lock held for the transaction makes the
 * check-then-insert atomic across processes.
 */
export async function createFirstAdmin(db: Db, input: CreateFirstAdminInput): Promise<AuthUser> {
  const parsed = ZCreateFirstAdmin.safeParse(input)
  if (!parsed.success) throw fromZodError(parsed.error)
  const { email, password, name } = parsed.data
  // Cheap early answer before spending ~100 ms on scrypt; the locked check below is the real one.
  if ((await countUsers(db)) > 0) throw conflict('an account already exists; sign in instead')
  const passwordHash = await hashPassword(password)
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIRST_ADMIN_LOCK_KEY}::bigint)`
    if ((await tx.user.count()) > 0) throw conflict('an account already exists; sign in instead')
    return tx.user.create({ data: { email, name: name ?? null, passwordHash, role: 'ADMIN' }, select: authUserSelect })
  })
}

/**
 * Creates the admin from ADMIN_EMAIL / ADMIN_PASSWORD when the database has no user yet.
 * Never touches an existing account (so it never overwrites a changed password).
 */
export async function ensureAdminFromEnv(
  db: Db,
  cfg: Pick<Env, 'ADMIN_EMAIL' | 'ADMIN_PASSWORD'>,
): Promise<{ created: boolean; user?: AuthUser }> {
  if (!cfg.ADMIN_EMAIL || !cfg.ADMIN_PASSWORD) return { created: false }
  if ((await countUsers(db)) > 0) return { created: false }
  try {
    const user = await createFirstAdmin(db, { email: cfg.ADMIN_EMAIL, password: cfg.ADMIN_PASSWORD })
    return { created: true, user }
  } catch (err) {
    // Another process created the first user between our count and our lock.
    if (err instanceof AppError && err.code === 'CONFLICT') return { created: false }
    throw err
  }
}

// A real scrypt hash of a random password, so a missing user costs the same time as a wrong password.
let dummyHash: Promise<string> | undefined
function getDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(`dummy-${Math.random()}-${Date.now()}`)
  return dummyHash
}

/** The user whose email and password match, or null. Never says which of the two was wrong. */
export async function authenticate(db: DbTx, email: string, password: string): Promise<AuthUser | null> {
  if (typeof email !== 'string' || typeof password !== 'string' || password.length > 1024) return null
  const normalized = email.trim().toLowerCase()
  const user = normalized ? await db.user.findUnique({ where: { email: normalized } }) : null
  if (!user) {
    await verifyPassword(password, await getDummyHash())
    return null
  }
  if (!(await verifyPassword(password, user.passwordHash))) return null
  return { id: user.id, email: user.email, name: user.name, role: user.role, createdAt: user.createdAt }
}

export async function findUserById(db: DbTx, id: string): Promise<AuthUser | null> {
  return db.user.findUnique({ where: { id }, select: authUserSelect })
}

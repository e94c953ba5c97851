import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'
import { AppError } from '@/lib/server/errors/app-error'
import { authenticate, countUsers, createFirstAdmin, ensureAdminFromEnv } from '@/lib/server/auth/users'
import { verifyPassword } from '@/lib/server/auth/password'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(async () => {
  await t?.drop()
})
beforeEach(async () => {
  await t.db.user.deleteMany()
})

async function errorOf(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(AppError)
  return err as AppError
}

describe('createFirstAdmin', () => {
  it('creates the first account with a lowercased email and a scrypt hash', async () => {
    const user = await createFirstAdmin(t.db, { email: '  Admin@Example.COM ', password: 'long enough pw', name: 'Ada' })
    expect(user).toMatchObject({ email: 'admin@example.com', name: 'Ada' })
    expect(user).not.toHaveProperty('passwordHash')
    const row = await t.db.user.findUniqueOrThrow({ where: { id: user.id } })
    expect(row.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/)
    expect(await verifyPassword('long enough pw', row.passwordHash)).toBe(true)
  })

  it('refuses a second account with CONFLICT (409)', async () => {
    await createFirstAdmin(t.db, { email: 'first@example.com', password: 'long enough pw' })
    const err = await errorOf(createFirstAdmin(t.db, { email: 'second@example.com', password: 'long enough pw' }))
    expect(err.code).toBe('CONFLICT')
    expect(err.status).toBe(409)
    expect(await countUsers(t.db)).toBe(1)
  })

  it('lets exactly one of several concurrent attempts win', async () => {
    // Several rounds: a single round can serialise by luck (scrypt finishes at different times).
    for (let round = 0; round < 10; round++) {
      await t.db.user.deleteMany()
      const attempts = await Promise.allSettled(
        Array.from({ length: 2 }, (_, i) =>
          createFirstAdmin(t.db, { email: `racer${round}-${i}@example.com`, password: 'long enough pw' }),
        ),
      )
      const lost = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected')
      expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1)
      expect(lost.map((l) => (l.reason as AppError).code)).toEqual(['CONFLICT'])
      expect(await countUsers(t.db)).toBe(1)
    }
  })

  it.each([
    ['short password', { email: 'a@example.com', password: 'short' }, 'password'],
    ['invalid email', { email: 'not-an-email', password: 'long enough pw' }, 'email'],
    ['missing email', { email: '', password: 'long enough pw' }, 'email'],
  ])('rejects %s with a VALIDATION error naming the field', async (_label, input, field) => {
    const err = await errorOf(createFirstAdmin(t.db, input))
    expect(err.code).toBe('VALIDATION')
    expect(err.status).toBe(400)
    expect(err.fieldErrors?.map((f) => f.field)).toEqual([field])
    expect(await countUsers(t.db)).toBe(0)
  })
})

describe('ensureAdminFromEnv', () => {
  const cfg = { ADMIN_EMAIL: 'Ops@Example.com', ADMIN_PASSWORD: 'from-env-password' }

  it('creates the admin once and is a no-op afterwards', async () => {
    const first = await ensureAdminFromEnv(t.db, cfg)
    expect(first.created).toBe(true)
    expect(first.user?.email).toBe('ops@example.com')
    const second = await ensureAdminFromEnv(t.db, cfg)
    expect(second).toEqual({ created: false })
    expect(await countUsers(t.db)).toBe(1)
  })

  it('never overwrites an existing password', async () => {
    await createFirstAdmin(t.db, { email: 'ops@example.com', password: 'the real password' })
    const result = await ensureAdminFromEnv(t.db, { ...cfg, ADMIN_PASSWORD: 'a different password' })
    expect(result.created).toBe(false)
    expect(await authenticate(t.db, 'ops@example.com', 'the real password')).not.toBeNull()
    expect(await authenticate(t.db, 'ops@example.com', 'a different password')).toBeNull()
  })

  it('does nothing when ADMIN_EMAIL is not configured', async () => {
    expect(await ensureAdminFromEnv(t.db, { ADMIN_EMAIL: undefined, ADMIN_PASSWORD: undefined })).toEqual({ created: false })
    expect(await countUsers(t.db)).toBe(0)
  })

  it('creates exactly one user when two processes start at once', async () => {
    const results = await Promise.all([ensureAdminFromEnv(t.db, cfg), ensureAdminFromEnv(t.db, cfg)])
    expect(results.filter((r) => r.created)).toHaveLength(1)
    expect(await countUsers(t.db)).toBe(1)
  })
})

describe('authenticate', () => {
  beforeEach(async () => {
    await createFirstAdmin(t.db, { email: 'trader@example.com', password: 'right password' })
  })

  it('returns the user for the right password, case-insensitively on the email', async () => {
    const user = await authenticate(t.db, 'Trader@Example.com', 'right password')
    expect(user?.email).toBe('trader@example.com')
    expect(user).not.toHaveProperty('passwordHash')
  })

  it.each([
    ['wrong password', 'trader@example.com', 'wrong password'],
    ['unknown email', 'nobody@example.com', 'right password'],
    ['empty password', 'trader@example.com', ''],
    ['empty email', '', 'right password'],
  ])('returns null for %s', async (_label, email, password) => {
    expect(await authenticate(t.db, email, password)).toBeNull()
  })
})

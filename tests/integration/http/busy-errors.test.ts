import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { handleRoute } from '@/lib/server/http/json-response'
import { busyError } from '@/lib/server/errors/busy-error'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

/** Real errors from a real PostgreSQL that mean "busy", and one that does not. */
describe('a saturated or contended database answers 503 with Retry-After, never 500', () => {
  let t: TestDatabase
  beforeAll(async () => {
    t = await createTestDatabase()
    await t.db.user.create({ data: { id: 'u1', email: 'busy@example.com', passwordHash: 'x' } })
  })
  afterAll(async () => {
    await t.drop()
  })

  async function lockTimeoutError(): Promise<unknown> {
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    let locked!: () => void
    const isLocked = new Promise<void>((r) => (locked = r))
    const holder = t.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM "User" WHERE id = 'u1' FOR UPDATE`
      locked()
      await held
    })
    await isLocked
    const err = await t.db
      .$transaction(async (tx) => {
        await tx.$executeRaw`SET LOCAL lock_timeout = '50ms'`
        await tx.$queryRaw`SELECT id FROM "User" WHERE id = 'u1' FOR UPDATE`
      })
      .catch((e: unknown) => e)
    release()
    await holder
    return err
  }

  async function expiredTransactionError(): Promise<unknown> {
    return t.db
      .$transaction(
        async (tx) => {
          await tx.$executeRaw`SELECT pg_sleep(0.3)`
          await tx.user.findFirst()
        },
        { timeout: 100 },
      )
      .catch((e: unknown) => e)
  }

  test.each([
    ['lock timeout (55P03)', lockTimeoutError],
    ['a transaction that expired while it waited (P2028)', expiredTransactionError],
  ])('%s → 503 BUSY with Retry-After from a route', async (_label, provoke) => {
    const err = await provoke()
    expect(err).toBeInstanceOf(Error)
    expect(busyError(err)).not.toBeNull()

    const res = await handleRoute(async (_req: Request) => {
      throw err
    })(new Request('http://localhost/api/v1/x', { method: 'POST' }))
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('1')
    expect(await res.json()).toEqual({ error: { code: 'BUSY', message: 'the server is busy; try again in a moment' } })
  })

  test('an error that is not about load stays a 500 (unique violation)', async () => {
    const err = await t.db.user.create({ data: { email: 'busy@example.com', passwordHash: 'x' } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    expect(busyError(err)).toBeNull()
    const res = await handleRoute(async (_req: Request) => {
      throw err
    })(new Request('http://localhost/api/v1/x'))
    expect(res.status).toBe(500)
  })
})

import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest'
import { poolOf } from '@/lib/db/client'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// Signals arrive in bursts on candle closes (every 1, 5 or 15 minutes), quiet in between. The
// pool keeps its connections through such a quiet spell, so that the next burst does not start
// on new server processes; it still lets them go after a longer one.
let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.drop())
afterEach(() => {
  vi.useRealTimers()
})

test("an idle connection is kept through 15 minutes of quiet, and closed after 20", async () => {
  const pool = poolOf(t.db)
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  // Several at once: the pool opens as many connections, each idle once its statement is done.
  await Promise.all([1, 2, 3].map(() => pool.query('SELECT pg_sleep(0.05)')))
  const idle = pool.idleCount
  expect(idle).toBeGreaterThanOrEqual(2)
  await vi.advanceTimersByTimeAsync(15 * 60_000)
  expect([pool.totalCount, pool.idleCount]).toEqual([idle, idle])
  await vi.advanceTimersByTimeAsync(5 * 60_000)
  expect([pool.totalCount, pool.idleCount]).toEqual([0, 0])
})

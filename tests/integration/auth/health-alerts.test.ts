import os from 'node:os'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDb } from '@/lib/db/client'
import { getHealth } from '@/lib/server/health/get-health'
import { healthAlerts } from '@/lib/ui/health-alerts'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

/** The dashboard's health alerts for real health answers: a database out of reach, and a worker that stopped. */
describe("the dashboard's health alerts", () => {
  let t: TestDatabase
  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(() => t?.drop())

  const opts = { heartbeatMs: 2000, staleAfterMs: 10_000, liveTradingEnabled: false }
  const noTicks = { liveFresh: false, quiet: true, idle: false }

  test('a database out of reach is said alone: not "worker down" nor "market data unavailable", which it cannot know', async () => {
    const unreachable = createDb('postgresql://nobody:nothing@127.0.0.1:1/none')
    try {
      const health = await getHealth({ ...opts, db: unreachable })
      expect(health.worker.ok).toBe(false) // what the banner used to read as "down, never reported"
      expect(healthAlerts(health, noTicks)).toEqual({ databaseDown: true, diskLow: false, workerDown: false, stale: false })
    } finally {
      await unreachable.$disconnect()
    }
  })

  test("a low disk is said with a database out of reach too (it may be why), and not when the disk's folder is unknown", async () => {
    const unreachable = createDb('postgresql://nobody:nothing@127.0.0.1:1/none')
    try {
      // More free space asked for than any disk here has: this one is low.
      const low = await getHealth({ ...opts, db: unreachable, disk: { dir: os.tmpdir(), lowBelowMb: 100_000_000 } })
      expect(low.status).toBe('down')
      expect(low.disk?.ok).toBe(false)
      expect(healthAlerts(low, noTicks)).toEqual({ databaseDown: true, diskLow: true, workerDown: false, stale: false })
      const unknown = await getHealth({ ...opts, db: unreachable, disk: { dir: undefined, lowBelowMb: 100_000_000 } })
      expect(unknown.disk).toBeNull()
      expect(healthAlerts(unknown, noTicks).diskLow).toBe(false)
    } finally {
      await unreachable.$disconnect()
    }
  })

  test('with the database up and no heartbeat and no quotes, the worker is down and the market data stale', async () => {
    const health = await getHealth({ ...opts, db: t.db })
    expect(health.database.ok).toBe(true)
    expect(healthAlerts(health, noTicks)).toEqual({ databaseDown: false, diskLow: false, workerDown: true, stale: true })
    // A tick on the stream says both are alive, whatever the last health answer said.
    expect(healthAlerts(health, { liveFresh: true, quiet: false, idle: false })).toEqual({ databaseDown: false, diskLow: false, workerDown: false, stale: false })
  })
})

import { Prisma } from '@/lib/generated/prisma/client'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'
import { getHealth } from '@/lib/server/health/get-health'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(async () => {
  await t?.drop()
})
beforeEach(async () => {
  await t.db.workerHeartbeat.deleteMany()
  await t.db.marketQuote.deleteMany()
})

const now = new Date('2030-06-01T12:00:00Z')
const ago = (ms: number) => new Date(now.getTime() - ms)
const opts = () => ({ db: t.db, heartbeatMs: 2000, staleAfterMs: 10_000, now })

async function heartbeat(lastSeenAgoMs: number, feedError: string | null = null) {
  await t.db.workerHeartbeat.create({
    data: {
      id: 'w1',
      pid: 123,
      host: 'test',
      startedAt: ago(60_000),
      lastSeenAt: ago(lastSeenAgoMs),
      feedKind: 'simulated',
      feedLabel: 'Simulated: random walk (seed 42)',
      feedError,
    },
  })
}
async function quote(symbol: string, receivedAgoMs: number) {
  const d = new Prisma.Decimal('100')
  await t.db.marketQuote.create({
    data: { symbol, bid: d, ask: d, last: d, source: 'sim', exchangeTs: ago(receivedAgoMs), receivedAt: ago(receivedAgoMs) },
  })
}

describe('getHealth', () => {
  it('is ok with a fresh heartbeat and fresh quotes', async () => {
    await heartbeat(1_000)
    await quote('BTC/USDT', 30_000)
    await quote('ETH/USDT', 500)
    const h = await getHealth(opts())
    expect(h.status).toBe('ok')
    expect(h.database.ok).toBe(true)
    expect(h.database.latencyMs).toBeGreaterThanOrEqual(0)
    expect(h.worker).toEqual({ ok: true, lastSeenAt: ago(1_000).toISOString(), ageMs: 1_000 })
    expect(h.marketData).toEqual({
      ok: true,
      kind: 'simulated',
      label: 'Simulated: random walk (seed 42)',
      freshestQuoteAgeMs: 500,
      staleAfterMs: 10_000,
    })
  })

  it('allows up to three heartbeat intervals of silence', async () => {
    await heartbeat(6_000)
    await quote('BTC/USDT', 500)
    expect((await getHealth(opts())).worker.ok).toBe(true)
  })

  it('is degraded when the heartbeat is older than three intervals', async () => {
    await heartbeat(6_001)
    await quote('BTC/USDT', 500)
    const h = await getHealth(opts())
    expect(h.status).toBe('degraded')
    expect(h.worker).toMatchObject({ ok: false, ageMs: 6_001 })
    expect(h.marketData.ok).toBe(false)
    expect(h.marketData.error).toMatch(/worker/)
  })

  it('is degraded with a worker but stale quotes', async () => {
    await heartbeat(500)
    await quote('BTC/USDT', 10_001)
    const h = await getHealth(opts())
    expect(h.status).toBe('degraded')
    expect(h.worker.ok).toBe(true)
    expect(h.marketData).toMatchObject({ ok: false, freshestQuoteAgeMs: 10_001 })
    expect(h.marketData.error).toMatch(/stale/)
  })

  it('reports the feed error the worker recorded', async () => {
    await heartbeat(500, 'binance: network timeout')
    await quote('BTC/USDT', 100)
    const h = await getHealth(opts())
    expect(h.status).toBe('degraded')
    expect(h.marketData.error).toBe('binance: network timeout')
  })

  it('is degraded when no worker has ever run', async () => {
    const h = await getHealth(opts())
    expect(h.status).toBe('degraded')
    expect(h.worker).toEqual({ ok: false, lastSeenAt: null, ageMs: null })
    expect(h.marketData).toMatchObject({ ok: false, kind: null, freshestQuoteAgeMs: null })
  })

  it('is down when the database cannot be reached', async () => {
    const { createDb } = await import('@/lib/db/client')
    const unreachable = createDb('postgresql://nobody:nothing@127.0.0.1:1/none')
    try {
      const h = await getHealth({ ...opts(), db: unreachable })
      expect(h.status).toBe('down')
      expect(h.database.ok).toBe(false)
      expect(JSON.stringify(h)).not.toContain('nothing') // no connection string or password
    } finally {
      await unreachable.$disconnect()
    }
  })
})

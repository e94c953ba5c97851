import { execFileSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { Prisma } from '@/lib/generated/prisma/client'
import { afterAll, beforeAll, beforeEach, describe, expect, it, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'
import { getHealth } from '@/lib/server/health/get-health'
import { createTrader } from '@/lib/server/traders/create-trader'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
  // A trader watching BTC/USDT: the worker polls it, so quotes are expected (see the idle tests).
  const user = await t.db.user.create({ data: { email: 'health@example.com', passwordHash: 'x' } })
  await createTrader({ db: t.db, userId: user.id, input: { name: 'Watcher', quoteCurrency: 'USDT', startingBalance: '1000', watchlist: ['BTC/USDT'] } })
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
const opts = () => ({ db: t.db, heartbeatMs: 2000, staleAfterMs: 10_000, liveTradingEnabled: false, now })

async function heartbeat(lastSeenAgoMs: number, feedError: string | null = null, worker: { id: string; primary: boolean } = { id: 'w1', primary: true }) {
  await t.db.workerHeartbeat.create({
    data: {
      id: worker.id,
      pid: 123,
      host: 'test',
      startedAt: ago(60_000),
      lastSeenAt: ago(lastSeenAgoMs),
      feedKind: 'simulated',
      feedLabel: worker.primary ? 'Simulated: random walk (seed 42)' : 'Simulated: random walk (seed 42) (ticks from the primary worker)',
      feedError,
      primary: worker.primary,
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
    expect(h.worker).toEqual({ ok: true, lastSeenAt: ago(1_000).toISOString(), ageMs: 1_000, count: 1 })
    expect(h.marketData).toEqual({
      ok: true,
      kind: 'simulated',
      label: 'Simulated: random walk (seed 42)',
      mode: null,
      freshestQuoteAgeMs: 500,
      staleAfterMs: 10_000,
      idle: false,
      feedFailed: false,
    })
  })

  it('with several workers: counts the live ones and shows the feed of the primary one, even when another beat later', async () => {
    await heartbeat(1_500, null, { id: 'primary', primary: true })
    await heartbeat(200, 'not this one', { id: 'second', primary: false })
    await heartbeat(9_000, null, { id: 'dead', primary: false })
    await quote('BTC/USDT', 500)
    const h = await getHealth(opts())
    expect(h.status).toBe('ok')
    expect(h.worker).toEqual({ ok: true, lastSeenAt: ago(200).toISOString(), ageMs: 200, count: 2 })
    expect(h.marketData).toMatchObject({ ok: true, kind: 'simulated', label: 'Simulated: random walk (seed 42)' })
  })

  it('is degraded while no live worker runs the feed (the primary died and none took over yet)', async () => {
    await heartbeat(7_000, null, { id: 'primary', primary: true })
    await heartbeat(200, null, { id: 'second', primary: false })
    await quote('BTC/USDT', 500)
    const h = await getHealth(opts())
    expect(h.status).toBe('degraded')
    expect(h.worker).toMatchObject({ ok: true, count: 1 })
    expect(h.marketData).toMatchObject({ ok: false, error: 'no worker runs the market data feed yet (one takes it over within seconds)' })
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
    expect(h.marketData).toMatchObject({ ok: false, freshestQuoteAgeMs: 10_001, feedFailed: false })
    expect(h.marketData.error).toMatch(/stale/)
  })

  it('reports the feed error the worker recorded', async () => {
    await heartbeat(500, 'binance: network timeout')
    await quote('BTC/USDT', 100)
    const h = await getHealth(opts())
    expect(h.status).toBe('degraded')
    expect(h.marketData).toMatchObject({ error: 'binance: network timeout', feedFailed: true })
  })

  test.each([
    { label: 'streaming', stored: 'exchange|stream', mode: 'stream' },
    { label: 'polling, the stream down', stored: 'exchange|polling (stream down: Unexpected server response: 503)', mode: 'polling (stream down: Unexpected server response: 503)' },
    { label: 'polling, no stream', stored: 'simulated|polling', mode: 'polling' },
    { label: 'a worker from before modes', stored: 'exchange', mode: null },
  ])('reports the mode the worker recorded: $label', async ({ stored, mode }) => {
    await heartbeat(500)
    await t.db.workerHeartbeat.update({ where: { id: 'w1' }, data: { feedKind: stored } })
    await quote('BTC/USDT', 100)
    const h = await getHealth(opts())
    // A stream being down is no fault while polling keeps the quotes fresh.
    expect(h.status).toBe('ok')
    expect(h.marketData).toMatchObject({ ok: true, kind: stored.split('|')[0], mode })
  })

  it('is down when the database does not answer in time, and says how long it waited', async () => {
    // Another session holds the heartbeat table: health's read of it waits on the lock.
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    let locked!: () => void
    const isLocked = new Promise<void>((r) => (locked = r))
    const holder = t.db.$transaction(
      async (tx) => {
        await tx.$executeRaw`LOCK TABLE "WorkerHeartbeat" IN ACCESS EXCLUSIVE MODE`
        locked()
        await held
      },
      { timeout: 20_000 },
    )
    await isLocked
    try {
      const h = await getHealth({ ...opts(), dbTimeoutMs: 300 })
      expect(h.status).toBe('down')
      expect(h.database).toMatchObject({ ok: false, error: 'no answer within 300 ms' })
      expect(h.database.latencyMs).toBeGreaterThanOrEqual(295) // (a timer may fire a millisecond early)
    } finally {
      release()
      await holder
    }
  })

  it('is degraded when no worker has ever run', async () => {
    const h = await getHealth(opts())
    expect(h.status).toBe('degraded')
    expect(h.worker).toEqual({ ok: false, lastSeenAt: null, ageMs: null, count: 0 })
    expect(h.marketData).toMatchObject({ ok: false, kind: null, freshestQuoteAgeMs: null })
  })

  it('is degraded when a symbol is watched and no quote has arrived yet', async () => {
    await heartbeat(500)
    const h = await getHealth(opts())
    expect(h.status).toBe('degraded')
    expect(h.marketData).toMatchObject({ ok: false, idle: false, error: 'no quotes received yet' })
  })

  it('is ok and idle on a fresh install where nothing is watched, and stops being idle with an open position', async () => {
    await heartbeat(500)
    const watchlists = await t.db.trader.findMany({ select: { id: true, watchlist: true } })
    await t.db.trader.updateMany({ data: { watchlist: [] } })
    try {
      const h = await getHealth(opts())
      expect(h.status).toBe('ok')
      expect(h.marketData).toEqual({ ok: true, kind: 'simulated', label: 'Simulated: random walk (seed 42)', mode: null, freshestQuoteAgeMs: null, staleAfterMs: 10_000, idle: true, feedFailed: false })

      // A position still open on a symbol nobody watches any more is polled, so quotes are due.
      const trader = await t.db.trader.findFirstOrThrow()
      await t.db.position.create({
        data: { traderId: trader.id, accountId: trader.accountId, symbol: 'ETH/USDT', side: 'LONG', status: 'MONITORING', entryType: 'MARKET', requestedQty: '1', stopLoss: '1' },
      })
      expect((await getHealth(opts())).marketData).toMatchObject({ ok: false, idle: false, error: 'no quotes received yet' })
    } finally {
      await t.db.position.deleteMany()
      for (const w of watchlists) await t.db.trader.update({ where: { id: w.id }, data: { watchlist: w.watchlist } })
    }
  })

  it('says whether live trading is enabled, with the database up or down', async () => {
    expect((await getHealth(opts())).liveTrading).toEqual({ enabled: false })
    expect((await getHealth({ ...opts(), liveTradingEnabled: true })).liveTrading).toEqual({ enabled: true })
    expect((await getHealth({ ...opts(), db: null, liveTradingEnabled: true })).liveTrading).toEqual({ enabled: true })
  })

  it('GET /api/health reports LIVE_TRADING_ENABLED (off unless set)', async () => {
    const { GET } = await import('@/app/api/health/route')
    const body = await (await GET(new Request('http://localhost/api/health'))).json()
    expect(body.liveTrading).toEqual({ enabled: false })
  })

  it("reports the free space of the database's disk as df does; below the threshold the status is degraded", async () => {
    await heartbeat(1_000)
    await quote('BTC/USDT', 500)
    const dir = os.tmpdir()
    // df's figure for the same folder: available to an unprivileged user, in bytes.
    const dfAvail = Number(execFileSync('df', ['-B1', '--output=avail', dir], { encoding: 'utf8' }).trim().split('\n')[1])
    const roomy = await getHealth({ ...opts(), disk: { dir, lowBelowMb: 0 } })
    expect(roomy.status).toBe('ok')
    expect(roomy.disk?.ok).toBe(true)
    expect(roomy.disk?.lowBelowBytes).toBe(0)
    // Other tests write files meanwhile: the same figure within 256 MB.
    expect(Math.abs(roomy.disk!.freeBytes - dfAvail)).toBeLessThan(256 * 2 ** 20)
    const freeMb = Math.floor(dfAvail / 2 ** 20)
    const low = await getHealth({ ...opts(), disk: { dir, lowBelowMb: freeMb + 100_000 } })
    expect(low.status).toBe('degraded')
    expect(low.disk).toEqual({ ok: false, freeBytes: expect.any(Number), lowBelowBytes: (freeMb + 100_000) * 2 ** 20 })
    expect(low.worker.ok && low.marketData.ok).toBe(true)
    // A folder that is not there, or none given: not known, and no cause for alarm.
    expect((await getHealth({ ...opts(), disk: { dir: path.join(dir, 'no-such-folder-here'), lowBelowMb: 1 } })).disk).toBeNull()
    expect((await getHealth(opts())).disk).toBeNull()
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

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import { runPanic } from '@/lib/server/panic/run-panic'
import { keepProtected } from '@/lib/server/protection/keep-protected'
import { startFakeBinanceSpot, type FakeBinanceSpot } from '@/tests/support/fake-binance-spot'
import { alikeSymbols, expectClosedOnceOnExchange, openProtectedLongs, restingStopsOn } from '@/tests/support/live-binance-account'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

/**
 * PANIC while the exchange's order-rate limit really binds (the key's budget is low, or shared
 * with other clients of the key): 429 -1015 with Retry-After 1 s on most new orders. And the
 * limit Binance publishes, kept so that no 429 comes back at all.
 */
describe('Binance spot: panic when the order-rate limit binds', () => {
  let t: TestDatabase
  let fake: FakeBinanceSpot

  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(async () => {
    await t.drop()
  })
  beforeEach(async () => {
    fake = await startFakeBinanceSpot({ balances: { USDT: '10000' }, symbols: alikeSymbols(8) })
  })
  afterEach(async () => {
    await closeLiveAdapters()
    await fake.close()
  })

  const summary = (r: Awaited<ReturnType<typeof runPanic>>) => r.positions.map((p) => `${p.symbol} ${p.outcome} (${p.attempts})`).join(', ')

  test('what does not close is reported with the reason, nothing is sold twice, and panic pressed again finishes the job', { timeout: 120_000 }, async () => {
    const symbols = alikeSymbols(8)
    const usdtBefore = fake.balance('USDT').free
    const ordersBefore = fake.orders.length
    const { userId, accountId, actor, positionIds } = await openProtectedLongs(t.db, fake, symbols)

    fake.setOrderRateLimit({ perSecond: 2, retryAfterSec: 1 })
    // No time budget for waiting out the limit and no back-off between tries: what the rate limit
    // holds back is reported FAILED (eight exits at 2 new orders/s cannot all get through).
    const first = await runPanic({ db: t.db, userId, actor, scope: { accountId }, throttleBudgetMs: 0, backoffMs: () => 0 })
    console.log(`first panic at 2 new orders/s: ${first.durationMs} ms, ${fake.throttled.length} answered 429: ${summary(first)}`)
    expect(fake.throttled.length).toBeGreaterThan(0)
    expect(first.positions.map((p) => p.positionId).sort()).toEqual([...positionIds].sort())
    const failed = first.positions.filter((x) => x.outcome !== 'CLOSED')
    expect(failed.length).toBeGreaterThan(0)
    for (const p of failed) {
      expect(p.outcome).toBe('FAILED')
      expect(p.detail).toMatch(/still open after \d+ attempts: .*(429|back off)/)
    }
    // A position the panic gave up on is open again: its exit was refused unsent, and the
    // protection keeper (the worker's, on the position's change or its next sweep) makes sure its
    // stop rests on the exchange.
    fake.setOrderRateLimit(undefined)
    await new Promise((r) => setTimeout(r, 1100)) // Retry-After
    for (const p of failed) {
      const id = p.symbol.replace('/', '')
      const exits = await t.db.order.findMany({ where: { positionId: p.positionId, purpose: 'MANUAL_EXIT' } })
      expect(exits.map((o) => o.status)).not.toContain('NEW')
      expect(exits.every((o) => o.status === 'REJECTED' && /^not sent: /.test(o.rejectReason ?? ''))).toBe(true)
      expect(['OPEN', 'MONITORING']).toContain((await t.db.position.findUniqueOrThrow({ where: { id: p.positionId } })).status)
      // Its stop still rests (and is kept) when our back-off refused even the cancel; otherwise
      // it comes back.
      const stillResting = restingStopsOn(fake, id).length === 1
      expect(await keepProtected({ db: t.db, positionId: p.positionId, actor })).toBe(stillResting ? 'in-place' : 'placed')
      expect(restingStopsOn(fake, id)).toHaveLength(1)
    }
    // Whatever state each position was left in: never two stops for one symbol, never two sells.
    for (const s of symbols) {
      const id = s.symbol.replace('/', '')
      expect(restingStopsOn(fake, id).length).toBeLessThanOrEqual(1)
      expect(fake.orders.filter((o) => o.symbol === id && o.side === 'SELL' && o.type === 'MARKET').length).toBeLessThanOrEqual(1)
    }

    // Panic pressed a second time closes the rest (stops come off first), each exactly once.
    const second = await runPanic({ db: t.db, userId, actor, scope: { accountId } })
    console.log(`second panic, no limit: ${second.durationMs} ms: ${summary(second)}`)
    expect(second.positions.every((p) => p.outcome === 'CLOSED' || p.outcome === 'ALREADY_CLOSED')).toBe(true)
    await expectClosedOnceOnExchange(t.db, fake, { accountId, positionIds, symbols, ordersBefore, usdtBefore, stopsReplaced: true })
  })

  test('the order-count limit Binance publishes (exchangeInfo ORDERS) is kept: 6 positions opened, protected and closed at 2 new orders/s without a single 429', { timeout: 60_000 }, async () => {
    const symbols = alikeSymbols(6)
    const usdtBefore = fake.balance('USDT').free
    const ordersBefore = fake.orders.length
    fake.setOrderRateLimit({ perSecond: 2, retryAfterSec: 1 }) // before our adapter reads exchangeInfo
    const { userId, accountId, actor, positionIds } = await openProtectedLongs(t.db, fake, symbols)
    const report = await runPanic({ db: t.db, userId, actor, scope: { accountId } })
    console.log(`panic with the limit known, 2 new orders/s: ${report.durationMs} ms: ${summary(report)}`)
    expect(fake.throttled).toEqual([])
    expect(report.positions.map((p) => p.outcome)).toEqual(symbols.map(() => 'CLOSED'))
    await expectClosedOnceOnExchange(t.db, fake, { accountId, positionIds, symbols, ordersBefore, usdtBefore })
  })

  test(
    // A try the exchange's rate limit refused (nothing sent) does not count against the panic's
    // attempts; the panic waits the exchange's Retry-After instead of its own short back-off.
    'panic waits out Retry-After instead of giving up: 6 positions at 1 new order/s (Retry-After 2 s) all close',
    { timeout: 60_000 },
    async () => {
      const symbols = alikeSymbols(6)
      const { userId, accountId, actor } = await openProtectedLongs(t.db, fake, symbols)
      // Retry-After (2 s) longer than the panic's own back-off over its four attempts (0.25 + 0.5 + 1 s).
      fake.setOrderRateLimit({ perSecond: 1, retryAfterSec: 2 })
      const report = await runPanic({ db: t.db, userId, actor, scope: { accountId } })
      console.log(`panic at 1 new order/s, Retry-After 2 s: ${report.durationMs} ms: ${summary(report)}`)
      expect(fake.throttled.length).toBeGreaterThan(0)
      expect(report.positions.map((p) => p.outcome)).toEqual(symbols.map(() => 'CLOSED'))
    },
  )
})

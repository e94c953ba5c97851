import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import { runPanic } from '@/lib/server/panic/run-panic'
import { startFakeBinanceSpot, type FakeBinanceSpot } from '@/tests/support/fake-binance-spot'
import { alikeSymbols, expectClosedOnceOnExchange, openProtectedLongs, restingStopsOn } from '@/tests/support/live-binance-account'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

/**
 * PANIC while the exchange's order-rate limit really binds (the key's budget is low, or shared
 * with other clients of the key): 429 -1015 with Retry-After 1 s on most new orders.
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
    // No time budget for waiting out the limit: what the rate limit holds back is reported FAILED.
    const first = await runPanic({ db: t.db, userId, actor, scope: { accountId }, throttleBudgetMs: 0 })
    console.log(`first panic at 2 new orders/s: ${first.durationMs} ms, ${fake.throttled.length} answered 429: ${summary(first)}`)
    expect(fake.throttled.length).toBeGreaterThan(0)
    expect(first.positions.map((p) => p.positionId).sort()).toEqual([...positionIds].sort())
    for (const p of first.positions.filter((x) => x.outcome !== 'CLOSED')) {
      expect(p.outcome).toBe('FAILED')
      expect(p.detail).toMatch(/still open after \d+ attempts: .*(429|back off)/)
    }
    // A position the panic gave up on is either still protected by its stop, or has its exit in
    // flight (NEW: reconciliation or the next panic settles it by client order id).
    for (const p of first.positions.filter((x) => x.outcome === 'FAILED')) {
      const id = p.symbol.replace('/', '')
      const stopResting = restingStopsOn(fake, id).length === 1
      const exitInFlight = (await t.db.order.count({ where: { positionId: p.positionId, purpose: 'MANUAL_EXIT', status: 'NEW' } })) === 1
      const status = (await t.db.position.findUniqueOrThrow({ where: { id: p.positionId } })).status
      console.log(`  ${p.symbol} after the first panic: ${status}, ${stopResting ? 'stop still resting' : 'no stop'}, ${exitInFlight ? 'exit NEW (in flight)' : 'no exit in flight'}`)
      expect(stopResting || exitInFlight).toBe(true)
    }
    // Whatever state each position was left in: never two stops for one symbol, never two sells.
    for (const s of symbols) {
      const id = s.symbol.replace('/', '')
      expect(restingStopsOn(fake, id).length).toBeLessThanOrEqual(1)
      expect(fake.orders.filter((o) => o.symbol === id && o.side === 'SELL' && o.type === 'MARKET').length).toBeLessThanOrEqual(1)
    }

    // The exchange lets us again: panic pressed a second time closes the rest, each exactly once.
    fake.setOrderRateLimit(undefined)
    await new Promise((r) => setTimeout(r, 2100)) // Retry-After, and the panic's grace for exits it did not send itself
    const second = await runPanic({ db: t.db, userId, actor, scope: { accountId } })
    console.log(`second panic, no limit: ${second.durationMs} ms: ${summary(second)}`)
    expect(second.positions.every((p) => p.outcome === 'CLOSED' || p.outcome === 'ALREADY_CLOSED')).toBe(true)
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

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import { runPanic } from '@/lib/server/panic/run-panic'
import { startFakeBinanceSpot, type FakeBinanceSpot } from '@/tests/support/fake-binance-spot'
import { alikeSymbols, expectClosedOnceOnExchange, isNewOrder, openProtectedLongs, restingStopsOn } from '@/tests/support/live-binance-account'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

const N = 30
const SYMBOLS = alikeSymbols(N)

/**
 * PANIC on a live Binance (testnet-mode) account holding 30 positions (30 symbols: the exchange
 * nets one balance per asset, so one position per symbol and account), each with its stop
 * resting on the exchange, while the exchange accepts at most 10 new orders per second
 * (429 -1015 with Retry-After beyond it). Prints how long it took.
 */
describe('Binance spot: panic on 30 protected positions at 10 new orders per second', () => {
  let t: TestDatabase
  let fake: FakeBinanceSpot

  beforeAll(async () => {
    t = await createTestDatabase()
    fake = await startFakeBinanceSpot({ balances: { USDT: '10000' }, symbols: SYMBOLS })
  })
  afterAll(async () => {
    await closeLiveAdapters()
    await fake.close()
    await t.drop()
  })

  test('every position CLOSED, every stop canceled, nothing sold twice', { timeout: 90_000 }, async () => {
    const usdtBefore = fake.balance('USDT').free
    const ordersBefore = fake.orders.length
    const { userId, accountId, actor, positionIds } = await openProtectedLongs(t.db, fake, SYMBOLS)
    expect(restingStopsOn(fake)).toHaveLength(N)

    fake.setOrderRateLimit({ perSecond: 10, retryAfterSec: 1 })
    const startedAt = Date.now()
    const report = await runPanic({ db: t.db, userId, actor, scope: { accountId } })
    const tookMs = Date.now() - startedAt
    fake.setOrderRateLimit(undefined)

    const outcomes = report.positions.reduce<Record<string, number>>((m, p) => ({ ...m, [p.outcome]: (m[p.outcome] ?? 0) + 1 }), {})
    console.log(
      `PANIC on ${N} protected positions at 10 new orders/s: ${tookMs} ms (report says ${report.durationMs} ms); ` +
        `outcomes ${JSON.stringify(outcomes)}; ${fake.throttled.length} new-order request(s) answered 429; ` +
        `attempts per position ${report.positions.map((p) => p.attempts).join(',')}`,
    )
    for (const p of report.positions.filter((x) => x.outcome !== 'CLOSED')) console.log(`  ${p.symbol}: ${p.outcome}: ${p.detail}`)

    // Every position reported, each one closed (a position that was not would carry its reason).
    expect(report.positions.map((p) => p.positionId).sort()).toEqual([...positionIds].sort())
    expect(report.positions.filter((p) => p.outcome !== 'CLOSED').map((p) => `${p.symbol}: ${p.detail}`)).toEqual([])
    expect(report.status).toBe('COMPLETED')
    await expectClosedOnceOnExchange(t.db, fake, { accountId, positionIds, symbols: SYMBOLS, ordersBefore, usdtBefore })
    // The halted account sends nothing more.
    const sent = fake.requests.filter(isNewOrder).length
    await new Promise((r) => setTimeout(r, 300))
    expect(fake.requests.filter(isNewOrder).length).toBe(sent)
  })
})

import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import { openPosition } from '@/lib/server/positions/open-position'
import { keepProtected } from '@/lib/server/protection/keep-protected'
import { OrderReconciler, type ReconcileSummary } from '@/workers/reconcile/reconcile-orders'
import { startFakeBinanceSpot, type FakeBinanceSpot, type FakeSpotRequest } from '@/tests/support/fake-binance-spot'
import { binanceWithTimeout, createBinanceTestnetTrader, expectBooksEqualExchange, isNewOrder, restingStopsOn } from '@/tests/support/live-binance-account'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

export const START_USDT = '10000'

/** Request matchers for injectFault: which of our orders a fault hits. */
export const isEntry = (r: FakeSpotRequest) => isNewOrder(r) && r.params.side === 'BUY'
export const isStop = (r: FakeSpotRequest) => isNewOrder(r) && r.params.type === 'STOP_LOSS_LIMIT'
export const isMarketSell = (r: FakeSpotRequest) => isNewOrder(r) && r.params.side === 'SELL' && r.params.type === 'MARKET'
export const isCancel = (r: FakeSpotRequest) => r.method === 'DELETE' && r.path === '/api/v3/order'

/**
 * One BTC/USDT trader on a Binance (testnet-mode) account pointed at a fresh fake spot server
 * per test (10,000 USDT, price 60000.00 / 60000.01 there and in our quote table), on a database
 * of the file. Registers the hooks of the enclosing describe; read the fields inside tests.
 * Adapters are dropped after each test (closeLiveAdapters), as a new process would have none.
 */
export function liveBinanceScenario() {
  let shortTimeout: (ExchangePort & { close(): Promise<void> }) | null = null
  const s = {
    t: undefined as unknown as TestDatabase,
    fake: undefined as unknown as FakeBinanceSpot,
    userId: '',
    traderId: '',
    accountId: '',
    user: (): ActorRef => ({ kind: 'USER', id: s.userId }),
    worker: { kind: 'WORKER', id: 'live-fault-test' } as ActorRef,

    /** The last price set through price(): what our feed last saw. */
    lastQuote: { bid: '60000.00', ask: '60000.01' },
    /** The same price on the exchange and in our quote table (the worker's feed would do this). */
    async price(bid: string, ask: string) {
      s.fake.setPrice('BTC/USDT', bid, ask)
      s.lastQuote = { bid, ask }
      await seedMarket(s.t.db, { bid, ask })
    },
    /** The real adapter with a 1 s timeout, for faults that never answer (see binanceWithTimeout). */
    withShortTimeout() {
      shortTimeout = binanceWithTimeout(s.fake, s.accountId, 1000)
      return shortTimeout
    },
    async openLong(exchange?: ExchangePort, takeProfits: { price: string; sharePct: string }[] = []) {
      const { positionId } = await openPosition({
        db: s.t.db,
        userId: s.userId,
        actor: s.user(),
        exchange,
        input: { traderId: s.traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000', takeProfits },
      })
      return positionId
    },
    async openProtected() {
      const positionId = await s.openLong()
      expect(await keepProtected({ db: s.t.db, positionId, actor: s.worker })).toBe('placed')
      const [stop] = restingStopsOn(s.fake)
      return { positionId, stop: stop! }
    },

    /** The real reconciler, impatient: no grace for NEW orders, no spacing, lost after 2 "not found", exits retried at once. */
    reconciler: () =>
      new OrderReconciler(s.t.db, { actor: s.worker, log: () => {}, newOrderGraceMs: 0, recheckAfterMs: 0, notFoundBudget: 2, exitRetryBackoffMs: () => 0 }),
    /** Reconciliation passes until `done` holds (at most `max`), checking after each that at most one stop rests. */
    async reconcileUntil(done: () => Promise<boolean>, max = 5): Promise<ReconcileSummary[]> {
      const r = s.reconciler()
      const passes: ReconcileSummary[] = []
      while (passes.length < max && !(await done())) {
        // Our quote is refreshed (the last price our feed saw), as the worker's feed would, so a
        // slow machine never makes a retried exit wait on a stale price.
        await seedMarket(s.t.db, s.lastQuote)
        passes.push(await r.runOnce())
        s.expectAtMostOneStopResting()
      }
      expect(await done()).toBe(true)
      return passes
    },

    position: (id: string) => s.t.db.position.findUniqueOrThrow({ where: { id } }),
    order: (clientOrderId: string) => s.t.db.order.findUniqueOrThrow({ where: { clientOrderId } }),
    newOrdersSent: () => s.fake.requests.filter(isNewOrder).length,
    /** Market sells the exchange created (a sell refused before it was created is not there). */
    sells: () => s.fake.orders.filter((o) => o.side === 'SELL' && o.type === 'MARKET'),
    expectAtMostOneStopResting() {
      expect(restingStopsOn(s.fake).length).toBeLessThanOrEqual(1)
    },
    expectBooksEqualExchange: (positionId: string) => expectBooksEqualExchange(s.t.db, s.fake, positionId, { base: 'BTC', startQuote: START_USDT }),
  }

  beforeAll(async () => {
    s.t = await createTestDatabase()
  })
  afterAll(async () => {
    await closeLiveAdapters()
    await s.t.drop()
  })
  beforeEach(async () => {
    s.fake = await startFakeBinanceSpot({ balances: { USDT: START_USDT } })
    ;({ userId: s.userId, traderId: s.traderId, accountId: s.accountId } = await createBinanceTestnetTrader(s.t.db, s.fake, { watchlist: ['BTC/USDT'] }))
    await s.price('60000.00', '60000.01')
  })
  afterEach(async () => {
    await shortTimeout?.close()
    shortTimeout = null
    await closeLiveAdapters()
    await s.fake.close()
  })
  return s
}

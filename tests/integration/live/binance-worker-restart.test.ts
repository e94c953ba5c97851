import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { parseEnv } from '@/lib/config/env'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec } from '@/lib/domain/decimal'
import type { ExchangePort, OrderLookupHint, OrderReport, PlaceOrderRequest } from '@/lib/exchange/port'
import { exchangeForAccount } from '@/lib/server/exchange/exchange-for-account'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import { openPosition } from '@/lib/server/positions/open-position'
import { startWorker, type Worker } from '@/workers/worker'
import { startFakeBinance, type FakeBinance } from '@/tests/support/fake-binance'
import { startFakeBinanceSpot, type FakeBinanceSpot } from '@/tests/support/fake-binance-spot'
import { createBinanceTestnetTrader, isNewOrder, ordersPostedWith, restingStopsOn } from '@/tests/support/live-binance-account'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'
import { waitFor } from '@/tests/support/wait-for'

/**
 * The account's real exchange, except that the process that sends an order "dies" right after
 * the exchange executed it: placeOrder never returns (until `wake()`, a frozen process that comes
 * back), so nothing of the answer is stored and submitOrder's failure path never runs either.
 */
class DiesAfterSend implements ExchangePort {
  private wakeUp!: () => void
  private readonly frozen = new Promise<void>((r) => (this.wakeUp = r))
  constructor(private readonly inner: ExchangePort) {}
  get accountId() {
    return this.inner.accountId
  }
  get capabilities() {
    return this.inner.capabilities
  }
  marketRules(symbol: string) {
    return this.inner.marketRules(symbol)
  }
  async placeOrder(req: PlaceOrderRequest): Promise<OrderReport> {
    const report = await this.inner.placeOrder(req)
    await this.frozen
    return report
  }
  cancelOrder(id: string, hint?: OrderLookupHint) {
    return this.inner.cancelOrder(id, hint)
  }
  fetchOrder(id: string, hint?: OrderLookupHint) {
    return this.inner.fetchOrder(id, hint)
  }
  fetchBalances() {
    return this.inner.fetchBalances()
  }
  wake() {
    this.wakeUp()
  }
}

/**
 * Worker restarts on a live Binance (testnet-mode) account, with the real startWorker: its
 * reconciler, protection keeper and account sync against the fake signed spot server, its
 * market loop reading the same prices from the fake public server. A stopped worker stands in
 * for a killed one (nothing of ours runs while the exchange acts); the adapters of the old
 * process are dropped (closeLiveAdapters) so the new one starts with nothing in memory.
 */
describe('Binance spot: the worker dies and a new one takes over', () => {
  let t: TestDatabase
  let spot: FakeBinanceSpot
  let feed: FakeBinance
  let worker: Worker | null = null
  let userId: string
  let traderId: string
  let accountId: string
  const log: string[] = []
  const START_USDT = '10000'

  async function startNewWorker() {
    await closeLiveAdapters() // a new process: no adapter, no markets, no back-off state in memory
    const cfg = parseEnv({ MARKET_DATA_SOURCE: 'exchange', MARKET_DATA_URL: feed.url, MARKET_POLL_INTERVAL_MS: '200', WORKER_HEARTBEAT_MS: '500' })
    worker = await startWorker({
      db: t.db,
      cfg,
      databaseUrl: t.url,
      log: (m) => log.push(m),
      // The sender of a NEW order without an answer gets 1.5 s before the worker asks the exchange.
      reconcile: { intervalMs: 250, newOrderGraceMs: 1500, recheckAfterMs: 0, notFoundBudget: 2 },
    })
  }
  async function stopWorker() {
    await worker?.stop()
    worker = null
    await closeLiveAdapters()
  }
  /** The same price on the exchange, on the public feed the worker reads, and in our quote table. */
  async function price(symbol: string, bid: string, ask: string) {
    spot.setPrice(symbol, bid, ask)
    feed.setPrice(symbol, bid, ask)
    await seedMarket(t.db, { symbol, bid, ask })
  }

  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(async () => {
    await t.drop()
  })
  beforeEach(async () => {
    log.length = 0
    spot = await startFakeBinanceSpot({ balances: { USDT: START_USDT } })
    feed = await startFakeBinance()
    ;({ userId, traderId, accountId } = await createBinanceTestnetTrader(t.db, spot, { watchlist: ['BTC/USDT', 'ETH/USDT'] }))
    await price('BTC/USDT', '60000.00', '60000.01')
    await price('ETH/USDT', '3000.00', '3000.01')
  })
  afterEach(async () => {
    await stopWorker()
    await spot.close()
    await feed.close()
  })

  const openLong = (symbol: string, size: string, stopLoss: string, exchange?: ExchangePort) =>
    openPosition({
      db: t.db,
      userId,
      actor: { kind: 'USER', id: userId },
      exchange,
      input: { traderId, symbol, side: 'LONG', sizeMode: 'BASE', size, entryType: 'MARKET', stopLoss },
    })
  const position = (id: string) => t.db.position.findUniqueOrThrow({ where: { id } })
  const newOrdersSent = () => spot.requests.filter(isNewOrder).length

  test('(a) the entry executes but its sender dies before storing the answer: a new worker books the fill once and puts the stop on the exchange', async () => {
    const account = await t.db.exchangeAccount.findUniqueOrThrow({ where: { id: accountId } })
    const dying = new DiesAfterSend(exchangeForAccount(t.db, account))
    const opening = openLong('BTC/USDT', '0.01', '59000', dying)
    opening.catch(() => {}) // awaited below; this keeps an early failure from going unhandled
    const buy = await waitFor(async () => spot.orders.find((o) => o.side === 'BUY' && o.status === 'FILLED'), 'the entry executed on the exchange')
    const entry = await t.db.order.findUniqueOrThrow({ where: { clientOrderId: buy.clientOrderId } })
    // Nothing of the answer was stored, not even "the sender gave up".
    expect(entry).toMatchObject({ status: 'NEW', lastCheckedAt: null, exchangeOrderId: null })
    const positionId = entry.positionId!
    expect((await position(positionId)).status).toBe('SUBMITTING')
    expect(await t.db.fill.count()).toBe(0)

    await startNewWorker()
    const p = await waitFor(async () => {
      const x = await position(positionId)
      return x.status === 'MONITORING' ? x : null
    }, 'the entry reconciled')
    expect(fromDb(p.openQty).toFixed()).toBe('0.00999')
    const stop = await waitFor(async () => {
      const [s] = restingStopsOn(spot, 'BTCUSDT')
      const row = s && (await t.db.order.findUniqueOrThrow({ where: { clientOrderId: s.clientOrderId } }))
      return row?.status === 'SUBMITTED' ? s : null
    }, 'the stop resting on the exchange')
    expect(stop.origQty.toFixed()).toBe('0.00999')
    expect(stop.stopPrice.toFixed()).toBe('59000')

    // The frozen sender comes back with the stale answer: it changes nothing.
    dying.wake()
    await expect(opening).resolves.toEqual({ positionId })
    const fills = await t.db.fill.findMany({ where: { positionId } })
    expect(fills.map((f) => f.exchangeFillId).sort()).toEqual(spot.trades.map((x) => String(x.id)).sort())
    expect(fills).toHaveLength(1)
    expect(await t.db.order.findUniqueOrThrow({ where: { id: entry.id } })).toMatchObject({ status: 'FILLED', exchangeOrderId: String(buy.orderId) })
    expect(ordersPostedWith(spot, buy.clientOrderId)).toBe(1)
    // One entry and one stop went out, nothing else, and the next passes leave it so.
    await new Promise((r) => setTimeout(r, 800))
    expect(newOrdersSent()).toBe(2)
    expect(restingStopsOn(spot)).toHaveLength(1)
    expect(log.some((m) => /stop placed on the exchange/.test(m))).toBe(true)
  })

  test('(b) stops resting, worker down, the market falls through them on the exchange: a new worker closes both positions with the exchange\'s prices and fees, once', async () => {
    await startNewWorker()
    const { positionId: btc } = await openLong('BTC/USDT', '0.01', '59000')
    const { positionId: eth } = await openLong('ETH/USDT', '0.5', '2900')
    // The worker's keeper hears of the fills and rests a stop for each on the exchange.
    await waitFor(async () => {
      const rows = await t.db.order.findMany({ where: { positionId: { in: [btc, eth] }, type: 'STOP_MARKET', status: 'SUBMITTED' } })
      return rows.length === 2 && restingStopsOn(spot).length === 2
    }, 'both stops resting')
    expect(restingStopsOn(spot, 'BTCUSDT')).toHaveLength(1)
    expect(restingStopsOn(spot, 'ETHUSDT')).toHaveLength(1)
    await stopWorker()
    const sentBefore = newOrdersSent()
    expect(sentBefore).toBe(4)

    // Nothing of ours runs; the exchange executes both stops (one over several trades).
    spot.setFillSplit(3)
    await price('BTC/USDT', '58900.00', '58900.01')
    await price('ETH/USDT', '2890.00', '2890.01')
    expect(spot.orders.filter((o) => o.type === 'STOP_LOSS_LIMIT').map((o) => o.status)).toEqual(['FILLED', 'FILLED'])
    expect(restingStopsOn(spot)).toHaveLength(0)

    await startNewWorker()
    await waitFor(async () => (await position(btc)).status === 'CLOSED' && (await position(eth)).status === 'CLOSED', 'both closed by the new worker')
    for (const id of [btc, eth]) {
      const p = await position(id)
      expect(p.statusReason).toBe('STOP_LOSS')
      expect(fromDb(p.openQty).isZero()).toBe(true)
    }
    // The exchange's trades, each recorded once, with its price and fee.
    const fills = await t.db.fill.findMany({ where: { positionId: { in: [btc, eth] } } })
    expect(fills.map((f) => f.exchangeFillId).sort()).toEqual(spot.trades.map((x) => String(x.id)).sort())
    expect(spot.trades.filter((x) => !x.isBuyer)).toHaveLength(6) // 3 per stop
    for (const tr of spot.trades) {
      const f = fills.find((x) => x.exchangeFillId === String(tr.id))!
      expect([fromDb(f.qty).toFixed(), fromDb(f.price).toFixed(), fromDb(f.fee).toFixed(), f.feeAsset]).toEqual([tr.qty.toFixed(), tr.price.toFixed(), tr.commission.toFixed(), tr.commissionAsset])
    }
    const pnl = (await Promise.all([btc, eth].map(position))).reduce((s, p) => s.plus(fromDb(p.realizedPnl)), dec(0))
    expect(pnl.toFixed()).toBe(spot.balance('USDT').free.minus(START_USDT).toFixed())
    for (const a of ['BTC', 'ETH']) expect(spot.balance(a).free.plus(spot.balance(a).locked).isZero()).toBe(true)

    // Nothing was sent by the new worker: no exit at market, no new stop, not now and not on its next passes.
    await new Promise((r) => setTimeout(r, 1000))
    expect(newOrdersSent()).toBe(sentBefore)
    for (const o of spot.orders) expect(ordersPostedWith(spot, o.clientOrderId)).toBe(1)
    expect(await t.db.order.count({ where: { positionId: { in: [btc, eth] }, type: 'MARKET', purpose: { not: 'ENTRY' } } })).toBe(0)
  })
})

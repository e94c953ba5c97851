import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec } from '@/lib/domain/decimal'
import type { ActorRef } from '@/lib/server/audit/actor'
import type { ExchangePort } from '@/lib/exchange/port'
import { exchangeForAccount, type AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import { modifyProtection } from '@/lib/server/positions/modify-protection'
import { openPosition } from '@/lib/server/positions/open-position'
import { requestExit } from '@/lib/server/positions/request-exit'
import { keepProtected, SHORT_OF_BALANCE_RETRY_MS } from '@/lib/server/protection/keep-protected'
import { OrderReconciler } from '@/workers/reconcile/reconcile-orders'
import { startFakeBinanceSpot, type FakeBinanceSpot } from '@/tests/support/fake-binance-spot'
import { createBinanceTestnetTrader } from '@/tests/support/live-binance-account'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

/**
 * A trader on a Binance spot (testnet-mode) account, against a local server that speaks Binance's
 * signed REST API to the real ccxt: the stop rests on the exchange, follows the position, and
 * executes there; our books end equal to the exchange's.
 */
describe('live trading on Binance spot: protected on the exchange', () => {
  let t: TestDatabase
  let fake: FakeBinanceSpot
  let userId: string
  let traderId: string
  let accountId: string
  const user = (): ActorRef => ({ kind: 'USER', id: userId })
  const worker: ActorRef = { kind: 'WORKER', id: 'test-worker' }

  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(async () => {
    await closeLiveAdapters()
    await t.drop()
  })

  beforeEach(async () => {
    fake = await startFakeBinanceSpot({ balances: { USDT: '10000' } })
    ;({ userId, accountId, traderId } = await createBinanceTestnetTrader(t.db, fake, { watchlist: ['BTC/USDT'] }))
    await price('60000.00', '60000.01')
  })
  afterEach(async () => {
    await closeLiveAdapters()
    await fake.close()
  })

  /** The same price on the exchange and in our market-data table (the worker's feed would do this). */
  async function price(bid: string, ask: string) {
    fake.setPrice('BTC/USDT', bid, ask)
    await seedMarket(t.db, { bid, ask })
  }

  const restingStops = () => fake.orders.filter((o) => o.type === 'STOP_LOSS_LIMIT' && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED'))
  const ordersSent = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order').length

  async function openLong(takeProfits: { price: string; sharePct: string }[] = []) {
    const { positionId } = await openPosition({
      db: t.db,
      userId,
      actor: user(),
      input: { traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000', takeProfits },
    })
    return positionId
  }

  test('entry fills → the stop rests on the exchange → moved → a take-profit re-protects the rest → the stop executes there → books equal the exchange', async () => {
    const positionId = await openLong([{ price: '61000', sharePct: '50' }])
    let p = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    expect(p.status).toBe('MONITORING')
    // Binance takes a spot buy's commission in the coin: 0.01 bought, 0.00999 held.
    expect(fromDb(p.openQty).toFixed()).toBe('0.00999')
    expect(fake.balance('BTC').free.toFixed()).toBe('0.00999')

    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('placed')
    const [stop1] = restingStops()
    expect(stop1).toMatchObject({ side: 'SELL', triggered: false })
    expect(stop1!.origQty.toFixed()).toBe('0.00999')
    expect(stop1!.stopPrice.toFixed()).toBe('59000')
    const row1 = await t.db.order.findUniqueOrThrow({ where: { clientOrderId: stop1!.clientOrderId } })
    expect(row1).toMatchObject({ purpose: 'STOP_LOSS', type: 'STOP_MARKET', status: 'SUBMITTED', exchangeOrderId: String(stop1!.orderId) })
    expect(fake.balance('BTC').locked.toFixed()).toBe('0.00999')

    // Nothing to do twice.
    const sent = ordersSent()
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('in-place')
    expect(ordersSent()).toBe(sent)

    // Moving the stop replaces the exchange order.
    await price('60000.00', '60000.01') // (a fresh quote: the stop is checked against the market)
    await modifyProtection({ db: t.db, userId, actor: user(), positionId, input: { stopLoss: '59500' } })
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('placed')
    // In one request (Binance's cancel-replace): the coins are never without a stop in between.
    expect(fake.requests.filter((r) => r.path === '/api/v3/order/cancelReplace')).toHaveLength(1)
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0)
    expect(fake.orders.find((o) => o.orderId === stop1!.orderId)!.status).toBe('CANCELED')
    expect((await t.db.order.findUniqueOrThrow({ where: { id: row1.id } })).status).toBe('CANCELED')
    const [stop2] = restingStops()
    expect(stop2!.stopPrice.toFixed()).toBe('59500')
    expect(stop2!.origQty.toFixed()).toBe('0.00999')

    // The take-profit (the worker's trigger): the stop comes off, half is sold, the rest is re-protected.
    await price('61000.00', '61000.01')
    const tp = await t.db.takeProfit.findFirstOrThrow({ where: { positionId } })
    expect(await requestExit({ db: t.db, positionId, actor: worker, purpose: 'TAKE_PROFIT', size: { kind: 'TAKE_PROFIT', takeProfitId: tp.id }, reason: 'Take-profit 61000 touched' })).not.toBeNull()
    expect(fake.orders.find((o) => o.orderId === stop2!.orderId)!.status).toBe('CANCELED')
    p = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    expect(p.status).toBe('MONITORING')
    expect(fromDb(p.openQty).toFixed()).toBe('0.005')
    expect(restingStops()).toHaveLength(0)
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('placed')
    const [stop3] = restingStops()
    expect(stop3!.origQty.toFixed()).toBe('0.005')
    expect(stop3!.stopPrice.toFixed()).toBe('59500')

    // The market falls through the stop while nothing of ours runs: the exchange executes it.
    await price('59400.00', '59400.01')
    expect(fake.orders.find((o) => o.orderId === stop3!.orderId)!.status).toBe('FILLED')
    const reconciler = new OrderReconciler(t.db, { actor: worker, log: () => {}, recheckAfterMs: 0 })
    await reconciler.runOnce()
    p = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    expect(p.status).toBe('CLOSED')
    expect(p.statusReason).toBe('STOP_LOSS')
    expect(fromDb(p.openQty).isZero()).toBe(true)

    // Books equal the exchange: every trade recorded once, and the realized PnL is the cash change.
    const fills = await t.db.fill.findMany({ where: { positionId } })
    expect(fills.map((f) => f.exchangeFillId).sort()).toEqual(fake.trades.map((x) => String(x.id)).sort())
    expect(fake.balance('BTC').free.plus(fake.balance('BTC').locked).isZero()).toBe(true)
    expect(fromDb(p.realizedPnl).toFixed()).toBe(fake.balance('USDT').free.minus(10000).toFixed())
    // Still nothing resting, and a further pass places nothing on a closed position.
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('in-place')
    expect(restingStops()).toHaveLength(0)
  })

  test('a stop the exchange refuses after the entry filled: the position leaves at market at once, with an error notification', async () => {
    const positionId = await openLong()
    // The market gaps below the stop before it can be placed: Binance refuses it ("would trigger immediately").
    fake.setPrice('BTC/USDT', '58000.00', '58000.01')
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('refused')
    const p = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    expect(p.status).toBe('CLOSED')
    const stop = await t.db.order.findFirstOrThrow({ where: { positionId, type: 'STOP_MARKET' } })
    expect(stop.status).toBe('REJECTED')
    expect(stop.rejectReason).toMatch(/trigger immediately/)
    const exit = await t.db.order.findFirstOrThrow({ where: { positionId, purpose: 'STOP_LOSS', type: 'MARKET' } })
    expect(exit.status).toBe('FILLED')
    const alert = await t.db.activityEvent.findFirstOrThrow({ where: { userId, type: 'PROTECTION_FAILED' } })
    expect(alert.severity).toBe('error')
    expect(alert.message).toMatch(/refused the protective stop/)
    expect(fake.balance('BTC').free.plus(fake.balance('BTC').locked).isZero()).toBe(true)
  })

  test('the coins were sold outside Tradeloop: the stop is refused for want of balance, no exit at market (it could not sell either), one error, a pause before the next try', async () => {
    const positionId = await openLong()
    fake.setBalance('BTC', '0') // sold by hand on the exchange's own site
    const sent = ordersSent()
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('unbacked')
    expect(ordersSent()).toBe(sent + 1) // the stop only: no market sell
    const stop = await t.db.order.findFirstOrThrow({ where: { positionId, type: 'STOP_MARKET' } })
    expect(stop.status).toBe('REJECTED')
    expect(stop.rejectReason).toMatch(/insufficient balance/)
    expect(await t.db.order.count({ where: { positionId, purpose: 'STOP_LOSS', type: 'MARKET' } })).toBe(0)
    expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('MONITORING')
    const alerts = await t.db.activityEvent.findMany({ where: { userId, type: 'PROTECTION_FAILED' } })
    expect(alerts.map((a) => a.severity)).toEqual(['error'])
    expect(alerts[0]!.message).toMatch(/does not hold the position's quantity .*NOT protected/)

    // The keeper's next passes (every few seconds) send nothing and say nothing more...
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('unbacked')
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('unbacked')
    expect(ordersSent()).toBe(sent + 1)
    expect(await t.db.activityEvent.count({ where: { userId, type: 'PROTECTION_FAILED' } })).toBe(1)
    // ...until the pause is over: the coins are back (a transfer), and the stop rests.
    fake.setBalance('BTC', '0.00999')
    await t.db.order.update({ where: { id: stop.id }, data: { createdAt: new Date(Date.now() - SHORT_OF_BALANCE_RETRY_MS - 1000) } })
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('placed')
    expect(restingStops()).toHaveLength(1)
  })

  test('a moved stop the exchange refuses after canceling the old one (cancel-replace half done): the position leaves at market at once', async () => {
    const positionId = await openLong()
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('placed')
    const [old] = restingStops()
    await modifyProtection({ db: t.db, userId, actor: user(), positionId, input: { stopLoss: '59500' } })
    // Meanwhile the exchange's price has fallen below the new stop: its cancel goes through, the
    // new order "would trigger immediately" (HTTP 409): nothing protects the coins any more.
    fake.setPrice('BTC/USDT', '59400.00', '59400.01')
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('refused')
    expect(fake.orders.find((o) => o.orderId === old!.orderId)!.status).toBe('CANCELED')
    expect(restingStops()).toHaveLength(0)
    const p = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    expect(p.status).toBe('CLOSED')
    expect((await t.db.order.findFirstOrThrow({ where: { clientOrderId: old!.clientOrderId } })).status).toBe('CANCELED')
    expect(await t.db.activityEvent.count({ where: { userId, type: 'PROTECTION_FAILED', severity: 'error' } })).toBe(1)
    expect(fake.balance('BTC').free.plus(fake.balance('BTC').locked).isZero()).toBe(true)
  })

  test('a manual close takes the resting stop off first, then sells everything', async () => {
    const positionId = await openLong()
    await keepProtected({ db: t.db, positionId, actor: worker })
    const [stop] = restingStops()
    await requestExit({ db: t.db, positionId, userId, actor: user(), purpose: 'MANUAL_EXIT', size: { kind: 'ALL' }, reason: 'Closed by hand' })
    expect(fake.orders.find((o) => o.orderId === stop!.orderId)!.status).toBe('CANCELED')
    const p = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    expect(p.status).toBe('CLOSED')
    expect(p.statusReason).toBe('MANUAL_EXIT')
    expect(fake.balance('BTC').free.plus(fake.balance('BTC').locked).isZero()).toBe(true)
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('in-place')
    expect(restingStops()).toHaveLength(0)
  })

  test('the stop executed on the exchange just before a manual close: nothing is sold twice', async () => {
    const positionId = await openLong()
    await keepProtected({ db: t.db, positionId, actor: worker })
    // The exchange executes the stop; our books have not heard of it yet.
    fake.setPrice('BTC/USDT', '58990.00', '58990.01')
    expect(restingStops()).toHaveLength(0)
    const before = ordersSent()
    await requestExit({ db: t.db, positionId, userId, actor: user(), purpose: 'MANUAL_EXIT', size: { kind: 'ALL' }, reason: 'Closed by hand' })
    expect(ordersSent()).toBe(before) // the market exit was never sent
    const p = await t.db.position.findUniqueOrThrow({ where: { id: positionId } })
    expect(p.status).toBe('CLOSED')
    expect(p.statusReason).toBe('STOP_LOSS')
    const exit = await t.db.order.findFirstOrThrow({ where: { positionId, purpose: 'MANUAL_EXIT' } })
    expect(exit.status).toBe('CANCELED')
    expect(exit.rejectReason).toMatch(/stop executed/)
    expect(fromDb(p.realizedPnl).toFixed()).toBe(fake.balance('USDT').free.minus(10000).toFixed())
  })

  test('an entry declared lost that the exchange did execute is found by the later checks of lost orders, booked once, and protected', async () => {
    // The answer to the entry is lost in transit, and the exchange's first lookups do not know
    // the order yet (Binance can lag after -1007): reconciliation declares it lost.
    fake.injectFault({ method: 'POST', path: '/api/v3/order' }, { kind: 'acceptThenDrop' })
    await expect(openLong()).rejects.toMatchObject({ code: 'EXCHANGE_UNCERTAIN' })
    const entry = await t.db.order.findFirstOrThrow({ where: { traderId, purpose: 'ENTRY' } })
    expect(entry.status).toBe('NEW')
    let blind = 2
    const exchangeFor = (a: AccountRef) => {
      const inner = exchangeForAccount(t.db, a)
      return Object.assign(Object.create(inner) as ExchangePort, {
        capabilities: inner.capabilities,
        accountId: inner.accountId,
        fetchOrder: async (id: string) => (id === entry.clientOrderId && blind-- > 0 ? null : inner.fetchOrder(id)),
      })
    }
    let clock = Date.now()
    const reconciler = new OrderReconciler(t.db, { actor: worker, log: () => {}, newOrderGraceMs: 0, recheckAfterMs: 0, notFoundBudget: 2, lostRecheckMs: 60_000, exchangeFor, now: () => clock })
    await reconciler.runOnce()
    await reconciler.runOnce()
    expect(await t.db.order.findUniqueOrThrow({ where: { id: entry.id } })).toMatchObject({ status: 'REJECTED' })
    expect((await t.db.position.findUniqueOrThrow({ where: { id: entry.positionId! } })).status).toBe('FAILED')
    await reconciler.runOnce() // not yet due for a recheck
    expect((await t.db.order.findUniqueOrThrow({ where: { id: entry.id } })).status).toBe('REJECTED')

    clock += 61_000
    await reconciler.runOnce()
    expect(await t.db.order.findUniqueOrThrow({ where: { id: entry.id } })).toMatchObject({ status: 'FILLED', exchangeOrderId: String(fake.orders[0]!.orderId) })
    const p = await t.db.position.findUniqueOrThrow({ where: { id: entry.positionId! } })
    expect(p.status).toBe('MONITORING')
    expect(fromDb(p.openQty).toFixed()).toBe('0.00999')
    expect(await t.db.fill.count({ where: { orderId: entry.id } })).toBe(fake.trades.length)
    expect(ordersSent()).toBe(1) // never re-sent
    expect(await keepProtected({ db: t.db, positionId: p.id, actor: worker })).toBe('placed')
  })

  test('a spot account refuses a SHORT with the reason, before anything is written or sent', async () => {
    const positions = await t.db.position.count()
    await expect(
      openPosition({
        db: t.db,
        userId,
        actor: user(),
        input: { traderId, symbol: 'BTC/USDT', side: 'SHORT', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '61000' },
      }),
    ).rejects.toMatchObject({ status: 400, fieldErrors: [{ field: 'side', message: expect.stringMatching(/spot: it can only go LONG/) }] })
    expect(await t.db.position.count()).toBe(positions)
    expect(ordersSent()).toBe(0)
  })

  test('a LIVE account sends no new order while LIVE_TRADING_ENABLED is off, but exits still go out', async () => {
    const positionId = await openLong()
    await t.db.exchangeAccount.update({ where: { id: accountId }, data: { mode: 'LIVE' } })
    await closeLiveAdapters()
    await t.db.position.update({ where: { id: positionId }, data: {} })
    // New entries: refused with the reason, nothing written.
    const count = await t.db.position.count()
    await expect(
      openPosition({ db: t.db, userId, actor: user(), input: { traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000' } }),
    ).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/LIVE_TRADING_ENABLED/) })
    expect(await t.db.position.count()).toBe(count)
    // Protection (reduce-only) and exits still work.
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('placed')
    await requestExit({ db: t.db, positionId, userId, actor: user(), purpose: 'MANUAL_EXIT', size: { kind: 'ALL' }, reason: 'Closed by hand' })
    expect((await t.db.position.findUniqueOrThrow({ where: { id: positionId } })).status).toBe('CLOSED')
    expect(dec(fake.balance('BTC').free.toFixed()).isZero()).toBe(true)
  })
})

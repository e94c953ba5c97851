import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import type { ActorRef } from '@/lib/server/audit/actor'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import { modifyProtection } from '@/lib/server/positions/modify-protection'
import { openPosition } from '@/lib/server/positions/open-position'
import { getPositionDetail } from '@/lib/server/positions/position-views'
import { requestExit } from '@/lib/server/positions/request-exit'
import { keepProtected } from '@/lib/server/protection/keep-protected'
import { TriggerMonitor } from '@/workers/monitor/trigger-monitor'
import { OrderReconciler } from '@/workers/reconcile/reconcile-orders'
import { startFakeBinanceSpot, type FakeBinanceSpot } from '@/tests/support/fake-binance-spot'
import { createBinanceTestnetTrader } from '@/tests/support/live-binance-account'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

/**
 * One take-profit that sells everything left rests on Binance together with the stop, as one
 * order list (OCO): whichever the market reaches first executes there and the exchange ends the
 * other, with nothing of ours running. Real ccxt against the local Binance spot server, real
 * PostgreSQL.
 */
describe('live trading on Binance spot: take-profit and stop resting as one OCO pair', () => {
  let t: TestDatabase
  let fake: FakeBinanceSpot
  let userId: string
  let traderId: string
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
    ;({ userId, traderId } = await createBinanceTestnetTrader(t.db, fake, { watchlist: ['BTC/USDT'] }))
    await price('60000.00', '60000.01')
  })
  afterEach(async () => {
    await closeLiveAdapters()
    await fake.close()
  })

  async function price(bid: string, ask: string) {
    fake.setPrice('BTC/USDT', bid, ask)
    await seedMarket(t.db, { bid, ask })
  }

  const working = (o: { status: string }) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED'
  const restingLists = () => [...new Set(fake.orders.filter((o) => o.orderListId !== -1 && working(o)).map((o) => o.orderListId))]
  const restingStops = () => fake.orders.filter((o) => o.type === 'STOP_LOSS_LIMIT' && working(o))
  const ocoRequests = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/orderList/oco')
  const reconcile = () => new OrderReconciler(t.db, { actor: worker, log: () => {}, recheckAfterMs: 0 }).runOnce()
  const position = (id: string) => t.db.position.findUniqueOrThrow({ where: { id } })
  const expectFlatAndBooksEqual = async (positionId: string, usdtBefore = '10000') => {
    const fills = await t.db.fill.findMany({ where: { positionId } })
    expect(fills.map((f) => f.exchangeFillId).sort()).toEqual(fake.trades.map((x) => String(x.id)).sort())
    expect(fake.balance('BTC').free.plus(fake.balance('BTC').locked).isZero()).toBe(true)
    expect(fromDb((await position(positionId)).realizedPnl).toFixed()).toBe(fake.balance('USDT').free.minus(usdtBefore).toFixed())
  }

  async function openLong(takeProfits: { price: string; sharePct: string }[]) {
    const { positionId } = await openPosition({
      db: t.db,
      userId,
      actor: user(),
      input: { traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000', takeProfits },
    })
    return positionId
  }

  test('the pair rests under our client ids, the worker stops watching the target, the target executes there: closed once, books equal the exchange', async () => {
    const positionId = await openLong([{ price: '61000', sharePct: '100' }])
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('placed')
    expect(ocoRequests()).toHaveLength(1)
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order')).toHaveLength(1) // the entry only
    const legs = fake.orders.filter((o) => o.orderListId !== -1)
    expect(legs.map((o) => `${o.type} ${o.side} ${o.origQty.toFixed()}`).sort()).toEqual(['LIMIT_MAKER SELL 0.00999', 'STOP_LOSS_LIMIT SELL 0.00999'])
    expect(legs[0]!.orderListId).toBe(legs[1]!.orderListId)
    const rows = await t.db.order.findMany({ where: { positionId, listClientOrderId: { not: null } }, orderBy: { type: 'asc' } })
    const tp = await t.db.takeProfit.findFirstOrThrow({ where: { positionId } })
    expect(rows.map((r) => `${r.purpose} ${r.type} ${r.status}`).sort()).toEqual(['STOP_LOSS STOP_MARKET SUBMITTED', 'TAKE_PROFIT LIMIT SUBMITTED'])
    expect(new Set(rows.map((r) => r.listClientOrderId)).size).toBe(1)
    const targetRow = rows.find((r) => r.purpose === 'TAKE_PROFIT')!
    expect(targetRow.takeProfitId).toBe(tp.id)
    expect(targetRow.exchangeOrderId).toBe(String(legs.find((o) => o.type === 'LIMIT_MAKER')!.orderId))
    expect(fake.balance('BTC').locked.toFixed()).toBe('0.00999') // one quantity for both legs

    // Nothing to do twice.
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('in-place')
    expect(ocoRequests()).toHaveLength(1)

    // The position shows both legs; the worker watches neither (the exchange holds them).
    const detail = await getPositionDetail(t.db, userId, positionId)
    expect(detail.position.exchangeStop).toMatchObject({ triggerPrice: '59000', qty: '0.00999', status: 'SUBMITTED' })
    expect(detail.position.exchangeTarget).toMatchObject({ price: '61000', qty: '0.00999', status: 'SUBMITTED', clientOrderId: targetRow.clientOrderId })
    const monitor = new TriggerMonitor(t.db, worker, () => {})
    await monitor.reload(positionId)
    expect(monitor.index.list().filter((x) => x.positionId === positionId)).toEqual([])

    // The market reaches the target: the exchange sells and ends the stop.
    await price('61000.50', '61000.51')
    expect(legs.find((o) => o.type === 'LIMIT_MAKER')!.status).toBe('FILLED')
    expect(legs.find((o) => o.type === 'STOP_LOSS_LIMIT')!.status).toBe('EXPIRED')
    await reconcile()
    const p = await position(positionId)
    expect(p.status).toBe('CLOSED')
    expect(p.statusReason).toBe('TAKE_PROFIT')
    expect((await t.db.takeProfit.findUniqueOrThrow({ where: { id: tp.id } })).status).toBe('FILLED')
    expect((await t.db.order.findUniqueOrThrow({ where: { id: targetRow.id } })).status).toBe('FILLED')
    expect(await t.db.order.count({ where: { positionId, status: { in: ['NEW', 'SUBMITTED', 'PARTIALLY_FILLED'] } } })).toBe(0)
    expect((await t.db.fill.findMany({ where: { orderId: targetRow.id } })).map((f) => `${fromDb(f.price).toFixed()} ${f.liquidity}`)).toEqual(['61000 MAKER'])
    await expectFlatAndBooksEqual(positionId)
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('in-place')
    expect(restingLists()).toEqual([])
  })

  test('the stop executes first: the exchange ends the target, the position closes by its stop', async () => {
    const positionId = await openLong([{ price: '61000', sharePct: '100' }])
    await keepProtected({ db: t.db, positionId, actor: worker })
    await price('58990.00', '58990.01')
    await reconcile()
    const p = await position(positionId)
    expect(p.status).toBe('CLOSED')
    expect(p.statusReason).toBe('STOP_LOSS')
    expect((await t.db.order.findFirstOrThrow({ where: { positionId, purpose: 'TAKE_PROFIT' } })).status).toBe('EXPIRED')
    expect((await t.db.takeProfit.findFirstOrThrow({ where: { positionId } })).status).toBe('CANCELED')
    await expectFlatAndBooksEqual(positionId)
  })

  test('moving the stop (or the target) replaces the pair: the old list is ended before the new one goes out, never two', async () => {
    const positionId = await openLong([{ price: '61000', sharePct: '100' }])
    await keepProtected({ db: t.db, positionId, actor: worker })
    const [first] = restingLists()
    await modifyProtection({ db: t.db, userId, actor: user(), positionId, input: { stopLoss: '59500' } })
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('placed')
    expect(fake.orders.filter((o) => o.orderListId === first).map((o) => o.status)).toEqual(['CANCELED', 'CANCELED'])
    expect(restingLists()).toHaveLength(1)
    expect(restingStops().map((o) => o.stopPrice.toFixed())).toEqual(['59500'])
    expect(ocoRequests()).toHaveLength(2)

    const tp = await t.db.takeProfit.findFirstOrThrow({ where: { positionId } })
    await modifyProtection({ db: t.db, userId, actor: user(), positionId, input: { takeProfits: [{ price: '62000', sharePct: '100' }] } })
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('placed')
    expect(restingLists()).toHaveLength(1)
    const target = fake.orders.find((o) => o.type === 'LIMIT_MAKER' && working(o))!
    expect(target.price.toFixed()).toBe('62000')
    expect(await t.db.order.count({ where: { positionId, status: { in: ['NEW', 'SUBMITTED', 'PARTIALLY_FILLED'] } } })).toBe(2)
    expect(tp.id).not.toBe((await t.db.order.findFirstOrThrow({ where: { clientOrderId: target.clientOrderId } })).takeProfitId)
  })

  test('a manual close takes both legs off first, then sells everything once', async () => {
    const positionId = await openLong([{ price: '61000', sharePct: '100' }])
    await keepProtected({ db: t.db, positionId, actor: worker })
    await requestExit({ db: t.db, positionId, userId, actor: user(), purpose: 'MANUAL_EXIT', size: { kind: 'ALL' }, reason: 'Closed by hand' })
    expect(restingLists()).toEqual([])
    const p = await position(positionId)
    expect(p.status).toBe('CLOSED')
    expect(p.statusReason).toBe('MANUAL_EXIT')
    expect(fake.orders.filter((o) => o.side === 'SELL' && o.type === 'MARKET')).toHaveLength(1)
    expect(await t.db.order.count({ where: { positionId, listClientOrderId: { not: null }, status: 'CANCELED' } })).toBe(2)
    await expectFlatAndBooksEqual(positionId)
  })

  test('the target partly fills: the exchange ends the stop, and the rest is protected by a new pair at once', async () => {
    const positionId = await openLong([{ price: '61000', sharePct: '100' }])
    await keepProtected({ db: t.db, positionId, actor: worker })
    fake.setLiquidity('BTC/USDT', '0.004')
    await price('61000.50', '61000.51')
    fake.setLiquidity('BTC/USDT', undefined)
    await price('60500.00', '60500.01')
    await reconcile()
    let p = await position(positionId)
    expect(p.status).toBe('MONITORING')
    expect(fromDb(p.openQty).toFixed()).toBe('0.00599')
    expect(restingStops()).toEqual([]) // the exchange ended the stop leg on the first fill
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('placed')
    const legs = fake.orders.filter((o) => working(o))
    expect(legs.map((o) => `${o.type} ${o.origQty.toFixed()}`).sort()).toEqual(['LIMIT_MAKER 0.00599', 'STOP_LOSS_LIMIT 0.00599'])
    expect(restingLists()).toHaveLength(1)
    await price('61000.50', '61000.51')
    await reconcile()
    p = await position(positionId)
    expect(p.status).toBe('CLOSED')
    expect(p.statusReason).toBe('TAKE_PROFIT')
    await expectFlatAndBooksEqual(positionId)
  })

  test('a pair the exchange refuses (the market is already past the target): the stop rests alone, with a warning, and the worker watches the target', async () => {
    const positionId = await openLong([{ price: '61000', sharePct: '100' }])
    // The exchange's price runs above the target before the pair goes out: a LIMIT_MAKER there would take.
    fake.setPrice('BTC/USDT', '61100.00', '61100.01')
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('placed')
    expect(ocoRequests()).toHaveLength(1)
    expect(restingLists()).toEqual([])
    expect(restingStops().map((o) => `${o.orderListId} ${o.stopPrice.toFixed()}`)).toEqual(['-1 59000'])
    const refused = await t.db.order.findMany({ where: { positionId, listClientOrderId: { not: null } } })
    expect(refused.map((o) => o.status)).toEqual(['REJECTED', 'REJECTED'])
    const warning = await t.db.activityEvent.findFirstOrThrow({ where: { positionId, type: 'PROTECTION_CHANGED' } })
    expect(warning.severity).toBe('warning')
    expect(warning.message).toMatch(/refused the take-profit and stop as one pair .*the stop rests alone/)
    // The pair is not tried again; the stop stays.
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('in-place')
    expect(ocoRequests()).toHaveLength(1)
    const monitor = new TriggerMonitor(t.db, worker, () => {})
    await monitor.reload(positionId)
    expect(monitor.index.list().filter((x) => x.positionId === positionId).map((x) => `${x.kind} ${x.price.toFixed()}`)).toEqual(['TAKE_PROFIT 61000'])
    expect((await position(positionId)).status).toBe('MONITORING')
  })

  test('a plan with two targets: the stop rests alone and the worker holds the targets; once one is left for the rest, it pairs', async () => {
    const positionId = await openLong([
      { price: '61000', sharePct: '50' },
      { price: '62000', sharePct: '50' },
    ])
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('placed')
    expect(ocoRequests()).toHaveLength(0)
    expect(restingStops()).toHaveLength(1)
    await price('61000.00', '61000.01')
    const first = await t.db.takeProfit.findFirstOrThrow({ where: { positionId, price: 61000 } })
    await requestExit({ db: t.db, positionId, actor: worker, purpose: 'TAKE_PROFIT', size: { kind: 'TAKE_PROFIT', takeProfitId: first.id }, reason: 'Take-profit 61000 touched' })
    expect(fromDb((await position(positionId)).openQty).toFixed()).toBe('0.005')
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('placed')
    expect(ocoRequests()).toHaveLength(1)
    const legs = fake.orders.filter((o) => o.orderListId !== -1 && working(o))
    expect(legs.map((o) => `${o.type} ${o.origQty.toFixed()} ${o.type === 'LIMIT_MAKER' ? o.price.toFixed() : o.stopPrice.toFixed()}`).sort()).toEqual([
      'LIMIT_MAKER 0.005 62000',
      'STOP_LOSS_LIMIT 0.005 59000',
    ])
  })
})

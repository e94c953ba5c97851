import { describe, expect, test } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import { modifyProtection } from '@/lib/server/positions/modify-protection'
import { getPositionDetail } from '@/lib/server/positions/position-views'
import { requestExit } from '@/lib/server/positions/request-exit'
import { keepProtected } from '@/lib/server/protection/keep-protected'
import { TriggerMonitor } from '@/workers/monitor/trigger-monitor'
import { liveBinanceScenario } from '@/tests/support/live-binance-scenario'

/**
 * One take-profit that sells everything left rests on Binance together with the stop, as one
 * order list (OCO): whichever the market reaches first executes there and the exchange ends the
 * other, with nothing of ours running. Real ccxt against the local Binance spot server, real
 * PostgreSQL.
 */
describe('live trading on Binance spot: take-profit and stop resting as one OCO pair', () => {
  const live = liveBinanceScenario()
  const { price, position, expectBooksEqualExchange } = live
  const worker = live.worker
  const db = () => live.t.db

  const working = (o: { status: string }) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED'
  const restingLists = () => [...new Set(live.fake.orders.filter((o) => o.orderListId !== -1 && working(o)).map((o) => o.orderListId))]
  const restingStops = () => live.fake.orders.filter((o) => o.type === 'STOP_LOSS_LIMIT' && working(o))
  const ocoRequests = () => live.fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/orderList/oco')
  const reconcile = () => live.reconciler().runOnce()
  const openLong = (takeProfits: { price: string; sharePct: string }[]) => live.openLong(undefined, takeProfits)

  test('the pair rests under our client ids, the worker stops watching the target, the target executes there: closed once, books equal the exchange', async () => {
    const positionId = await openLong([{ price: '61000', sharePct: '100' }])
    expect(await keepProtected({ db: db(), positionId, actor: worker })).toBe('placed')
    expect(ocoRequests()).toHaveLength(1)
    expect(live.fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order')).toHaveLength(1) // the entry only
    const legs = live.fake.orders.filter((o) => o.orderListId !== -1)
    expect(legs.map((o) => `${o.type} ${o.side} ${o.origQty.toFixed()}`).sort()).toEqual(['LIMIT_MAKER SELL 0.00999', 'STOP_LOSS_LIMIT SELL 0.00999'])
    expect(legs[0]!.orderListId).toBe(legs[1]!.orderListId)
    const rows = await db().order.findMany({ where: { positionId, listClientOrderId: { not: null } }, orderBy: { type: 'asc' } })
    const tp = await db().takeProfit.findFirstOrThrow({ where: { positionId } })
    expect(rows.map((r) => `${r.purpose} ${r.type} ${r.status}`).sort()).toEqual(['STOP_LOSS STOP_MARKET SUBMITTED', 'TAKE_PROFIT LIMIT SUBMITTED'])
    expect(new Set(rows.map((r) => r.listClientOrderId)).size).toBe(1)
    const targetRow = rows.find((r) => r.purpose === 'TAKE_PROFIT')!
    expect(targetRow.takeProfitId).toBe(tp.id)
    expect(targetRow.exchangeOrderId).toBe(String(legs.find((o) => o.type === 'LIMIT_MAKER')!.orderId))
    expect(live.fake.balance('BTC').locked.toFixed()).toBe('0.00999') // one quantity for both legs

    // Nothing to do twice.
    expect(await keepProtected({ db: db(), positionId, actor: worker })).toBe('in-place')
    expect(ocoRequests()).toHaveLength(1)

    // The position shows both legs; the worker watches neither (the exchange holds them), only the
    // price one tick past the stop's limit (58,410), where the triggered stop-limit could not fill.
    const detail = await getPositionDetail(db(), live.userId, positionId)
    expect(detail.position.exchangeStop).toMatchObject({ triggerPrice: '59000', qty: '0.00999', status: 'SUBMITTED' })
    expect(detail.position.exchangeTarget).toMatchObject({ price: '61000', qty: '0.00999', status: 'SUBMITTED', clientOrderId: targetRow.clientOrderId })
    const monitor = new TriggerMonitor(db(), worker, () => {})
    await monitor.reload(positionId)
    expect(monitor.index.list().filter((x) => x.positionId === positionId).map((x) => `${x.id.slice(positionId.length)} ${x.price.toFixed()}`)).toEqual([':sl-limit 58409.99'])

    // The market reaches the target: the exchange sells and ends the stop.
    await price('61000.50', '61000.51')
    expect(legs.find((o) => o.type === 'LIMIT_MAKER')!.status).toBe('FILLED')
    expect(legs.find((o) => o.type === 'STOP_LOSS_LIMIT')!.status).toBe('EXPIRED')
    await reconcile()
    const p = await position(positionId)
    expect(p.status).toBe('CLOSED')
    expect(p.statusReason).toBe('TAKE_PROFIT')
    expect((await db().takeProfit.findUniqueOrThrow({ where: { id: tp.id } })).status).toBe('FILLED')
    expect((await db().order.findUniqueOrThrow({ where: { id: targetRow.id } })).status).toBe('FILLED')
    expect(await db().order.count({ where: { positionId, status: { in: ['NEW', 'SUBMITTED', 'PARTIALLY_FILLED'] } } })).toBe(0)
    expect((await db().fill.findMany({ where: { orderId: targetRow.id } })).map((f) => `${fromDb(f.price).toFixed()} ${f.liquidity}`)).toEqual(['61000 MAKER'])
    await expectBooksEqualExchange(positionId)
    expect(await keepProtected({ db: db(), positionId, actor: worker })).toBe('in-place')
    expect(restingLists()).toEqual([])
  })

  test('the stop executes first: the exchange ends the target, the position closes by its stop', async () => {
    const positionId = await openLong([{ price: '61000', sharePct: '100' }])
    await keepProtected({ db: db(), positionId, actor: worker })
    await price('58990.00', '58990.01')
    await reconcile()
    const p = await position(positionId)
    expect(p.status).toBe('CLOSED')
    expect(p.statusReason).toBe('STOP_LOSS')
    expect((await db().order.findFirstOrThrow({ where: { positionId, purpose: 'TAKE_PROFIT' } })).status).toBe('EXPIRED')
    expect((await db().takeProfit.findFirstOrThrow({ where: { positionId } })).status).toBe('CANCELED')
    await expectBooksEqualExchange(positionId)
  })

  test('moving the stop (or the target) replaces the pair: the old list is ended before the new one goes out, never two', async () => {
    const positionId = await openLong([{ price: '61000', sharePct: '100' }])
    await keepProtected({ db: db(), positionId, actor: worker })
    const [first] = restingLists()
    await modifyProtection({ db: db(), userId: live.userId, actor: live.user(), positionId, input: { stopLoss: '59500' } })
    expect(await keepProtected({ db: db(), positionId, actor: worker })).toBe('placed')
    expect(live.fake.orders.filter((o) => o.orderListId === first).map((o) => o.status)).toEqual(['CANCELED', 'CANCELED'])
    expect(restingLists()).toHaveLength(1)
    expect(restingStops().map((o) => o.stopPrice.toFixed())).toEqual(['59500'])
    expect(ocoRequests()).toHaveLength(2)

    const tp = await db().takeProfit.findFirstOrThrow({ where: { positionId } })
    await modifyProtection({ db: db(), userId: live.userId, actor: live.user(), positionId, input: { takeProfits: [{ price: '62000', sharePct: '100' }] } })
    expect(await keepProtected({ db: db(), positionId, actor: worker })).toBe('placed')
    expect(restingLists()).toHaveLength(1)
    const target = live.fake.orders.find((o) => o.type === 'LIMIT_MAKER' && working(o))!
    expect(target.price.toFixed()).toBe('62000')
    expect(await db().order.count({ where: { positionId, status: { in: ['NEW', 'SUBMITTED', 'PARTIALLY_FILLED'] } } })).toBe(2)
    expect(tp.id).not.toBe((await db().order.findFirstOrThrow({ where: { clientOrderId: target.clientOrderId } })).takeProfitId)
  })

  test('a manual close takes both legs off first, then sells everything once', async () => {
    const positionId = await openLong([{ price: '61000', sharePct: '100' }])
    await keepProtected({ db: db(), positionId, actor: worker })
    await requestExit({ db: db(), positionId, userId: live.userId, actor: live.user(), purpose: 'MANUAL_EXIT', size: { kind: 'ALL' }, reason: 'Closed by hand' })
    expect(restingLists()).toEqual([])
    const p = await position(positionId)
    expect(p.status).toBe('CLOSED')
    expect(p.statusReason).toBe('MANUAL_EXIT')
    expect(live.fake.orders.filter((o) => o.side === 'SELL' && o.type === 'MARKET')).toHaveLength(1)
    expect(await db().order.count({ where: { positionId, listClientOrderId: { not: null }, status: 'CANCELED' } })).toBe(2)
    await expectBooksEqualExchange(positionId)
  })

  test('the target partly fills: the exchange ends the stop, and the rest is protected by a new pair at once', async () => {
    const positionId = await openLong([{ price: '61000', sharePct: '100' }])
    await keepProtected({ db: db(), positionId, actor: worker })
    live.fake.setLiquidity('BTC/USDT', '0.004')
    await price('61000.50', '61000.51')
    live.fake.setLiquidity('BTC/USDT', undefined)
    await price('60500.00', '60500.01')
    await reconcile()
    let p = await position(positionId)
    expect(p.status).toBe('MONITORING')
    expect(fromDb(p.openQty).toFixed()).toBe('0.00599')
    expect(restingStops()).toEqual([]) // the exchange ended the stop leg on the first fill
    expect(await keepProtected({ db: db(), positionId, actor: worker })).toBe('placed')
    const legs = live.fake.orders.filter((o) => working(o))
    expect(legs.map((o) => `${o.type} ${o.origQty.toFixed()}`).sort()).toEqual(['LIMIT_MAKER 0.00599', 'STOP_LOSS_LIMIT 0.00599'])
    expect(restingLists()).toHaveLength(1)
    await price('61000.50', '61000.51')
    await reconcile()
    p = await position(positionId)
    expect(p.status).toBe('CLOSED')
    expect(p.statusReason).toBe('TAKE_PROFIT')
    await expectBooksEqualExchange(positionId)
  })

  test('a pair the exchange refuses (the market is already past the target): the stop rests alone, with a warning, and the worker watches the target', async () => {
    const positionId = await openLong([{ price: '61000', sharePct: '100' }])
    // The exchange's price runs above the target before the pair goes out: a LIMIT_MAKER there would take.
    live.fake.setPrice('BTC/USDT', '61100.00', '61100.01')
    expect(await keepProtected({ db: db(), positionId, actor: worker })).toBe('placed')
    expect(ocoRequests()).toHaveLength(1)
    expect(restingLists()).toEqual([])
    expect(restingStops().map((o) => `${o.orderListId} ${o.stopPrice.toFixed()}`)).toEqual(['-1 59000'])
    const refused = await db().order.findMany({ where: { positionId, listClientOrderId: { not: null } } })
    expect(refused.map((o) => o.status)).toEqual(['REJECTED', 'REJECTED'])
    const warning = await db().activityEvent.findFirstOrThrow({ where: { positionId, type: 'PROTECTION_CHANGED' } })
    expect(warning.severity).toBe('warning')
    expect(warning.message).toMatch(/refused the take-profit and stop as one pair .*the stop rests alone/)
    // The pair is not tried again; the stop stays.
    expect(await keepProtected({ db: db(), positionId, actor: worker })).toBe('in-place')
    expect(ocoRequests()).toHaveLength(1)
    const monitor = new TriggerMonitor(db(), worker, () => {})
    await monitor.reload(positionId)
    // (and past the stop's limit, as for every stop resting there)
    expect(monitor.index.list().filter((x) => x.positionId === positionId).map((x) => `${x.kind} ${x.price.toFixed()}`)).toEqual(['STOP_LOSS 58409.99', 'TAKE_PROFIT 61000'])
    expect((await position(positionId)).status).toBe('MONITORING')
  })

  test('a plan with two targets: the stop rests alone and the worker holds the targets; once one is left for the rest, it pairs', async () => {
    const positionId = await openLong([
      { price: '61000', sharePct: '50' },
      { price: '62000', sharePct: '50' },
    ])
    expect(await keepProtected({ db: db(), positionId, actor: worker })).toBe('placed')
    expect(ocoRequests()).toHaveLength(0)
    expect(restingStops()).toHaveLength(1)
    await price('61000.00', '61000.01')
    const first = await db().takeProfit.findFirstOrThrow({ where: { positionId, price: 61000 } })
    await requestExit({ db: db(), positionId, actor: worker, purpose: 'TAKE_PROFIT', size: { kind: 'TAKE_PROFIT', takeProfitId: first.id }, reason: 'Take-profit 61000 touched' })
    expect(fromDb((await position(positionId)).openQty).toFixed()).toBe('0.005')
    expect(await keepProtected({ db: db(), positionId, actor: worker })).toBe('placed')
    expect(ocoRequests()).toHaveLength(1)
    const legs = live.fake.orders.filter((o) => o.orderListId !== -1 && working(o))
    expect(legs.map((o) => `${o.type} ${o.origQty.toFixed()} ${o.type === 'LIMIT_MAKER' ? o.price.toFixed() : o.stopPrice.toFixed()}`).sort()).toEqual([
      'LIMIT_MAKER 0.005 62000',
      'STOP_LOSS_LIMIT 0.005 59000',
    ])
  })
})

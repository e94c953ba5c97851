import { describe, expect, test } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec } from '@/lib/domain/decimal'
import { ORDER_ADOPTED } from '@/lib/server/orders/adopt-open-orders'
import { openPosition } from '@/lib/server/positions/open-position'
import { requestExit } from '@/lib/server/positions/request-exit'
import { keepProtected } from '@/lib/server/protection/keep-protected'
import { OrderAdoption } from '@/workers/reconcile/order-adoption'
import { binanceWithTimeout } from '@/tests/support/live-binance-account'
import { liveBinanceScenario } from '@/tests/support/live-binance-scenario'

/**
 * Orders of ours the database lacks that the open-order list alone does not make whole: the two
 * legs of a resting OCO pair (their order list is read for its client id), and orders that already
 * ended on the exchange (found in the account's trades of the last 24 hours). Real ccxt against
 * the local Binance server, real PostgreSQL.
 */
describe('Binance spot: paired legs and ended orders the database lost are adopted', () => {
  const s = liveBinanceScenario()
  const adoption = (log: string[] = []) => new OrderAdoption(s.t.db, s.worker, (m) => log.push(m))
  const adoptedEvents = () => s.t.db.activityEvent.findMany({ where: { type: ORDER_ADOPTED, userId: s.userId }, orderBy: { createdAt: 'asc' } })
  const working = (o: { status: string }) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED'
  const restingLists = () => [...new Set(s.fake.orders.filter((o) => o.orderListId !== -1 && working(o)).map((o) => o.orderListId))]
  const requestsTo = (method: string, path: string) => s.fake.requests.filter((r) => r.method === method && r.path === path)

  test('both legs of a resting OCO pair are adopted with their list id, the target on its take-profit; the keeper keeps the pair; the target executes: closed once by TAKE_PROFIT', async () => {
    const { positionId } = await openPosition({
      db: s.t.db,
      userId: s.userId,
      actor: s.user(),
      input: { traderId: s.traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000', takeProfits: [{ price: '61000', sharePct: '100' }] },
    })
    expect(await keepProtected({ db: s.t.db, positionId, actor: s.worker })).toBe('placed')
    const legs = await s.t.db.order.findMany({ where: { positionId, listClientOrderId: { not: null } } })
    expect(legs).toHaveLength(2)
    const list = legs[0]!.listClientOrderId!
    const tp = await s.t.db.takeProfit.findFirstOrThrow({ where: { positionId } })
    // Restored from a backup taken before the pair went out: both leg rows are gone.
    await s.t.db.order.deleteMany({ where: { id: { in: legs.map((l) => l.id) } } })

    await adoption().runOnce()
    const rows = await s.t.db.order.findMany({ where: { clientOrderId: { in: legs.map((l) => l.clientOrderId) } } })
    expect(rows.map((r) => `${r.purpose} ${r.type} ${r.status} ${r.listClientOrderId} ${r.positionId}`).sort()).toEqual([
      `STOP_LOSS STOP_MARKET SUBMITTED ${list} ${positionId}`,
      `TAKE_PROFIT LIMIT SUBMITTED ${list} ${positionId}`,
    ])
    const target = rows.find((r) => r.purpose === 'TAKE_PROFIT')!
    expect([target.takeProfitId, fromDb(target.price!).toFixed()]).toEqual([tp.id, '61000'])
    expect(rows.find((r) => r.purpose === 'STOP_LOSS')!.takeProfitId).toBeNull()
    expect(requestsTo('GET', '/api/v3/orderList')).toHaveLength(1) // one list, read once for both legs
    const events = await adoptedEvents()
    expect(events).toHaveLength(2)
    expect(events.every((e) => e.message.includes(`leg of order list ${list}`) && !e.message.includes('no take-profit level'))).toBe(true)

    // The pair is the position's protection again: kept, not replaced, and no exit is in progress.
    const ocoSent = requestsTo('POST', '/api/v3/orderList/oco').length
    expect(await keepProtected({ db: s.t.db, positionId, actor: s.worker })).toBe('in-place')
    expect(requestsTo('POST', '/api/v3/orderList/oco')).toHaveLength(ocoSent)
    expect(restingLists()).toHaveLength(1)
    expect((await s.position(positionId)).status).toBe('MONITORING')

    await s.price('61000.50', '61000.51')
    expect(s.fake.orders.find((o) => o.clientOrderId === target.clientOrderId)!.status).toBe('FILLED')
    await s.reconcileUntil(async () => (await s.position(positionId)).status === 'CLOSED')
    await s.reconciler().runOnce()
    const p = await s.position(positionId)
    expect(p.statusReason).toBe('TAKE_PROFIT')
    expect((await s.t.db.takeProfit.findUniqueOrThrow({ where: { id: tp.id } })).status).toBe('FILLED')
    expect(await s.t.db.positionEvent.count({ where: { positionId, toStatus: 'CLOSED' } })).toBe(1)
    await s.expectBooksEqualExchange(positionId)
    expect(s.sells()).toHaveLength(0)
  })

  test('a filled exit whose row and fills were lost is adopted once from the trades, FILLED, and corrects the books; others\' trades are ignored', async () => {
    const positionId = await s.openLong()
    const before = await s.position(positionId)
    await requestExit({ db: s.t.db, positionId, userId: s.userId, actor: s.user(), purpose: 'MANUAL_EXIT', size: { kind: 'ALL' }, reason: 'Closed by hand' })
    const exit = await s.t.db.order.findFirstOrThrow({ where: { positionId, purpose: 'MANUAL_EXIT' } })
    expect(exit.status).toBe('FILLED')
    const closed = await s.position(positionId)
    // Someone else trades on the same market with the same key.
    const theirs = binanceWithTimeout(s.fake, s.accountId, 5000)
    try {
      expect((await theirs.placeOrder({ clientOrderId: 'web_manual_9', symbol: 'BTC/USDT', side: 'BUY', type: 'MARKET', qty: dec('0.001'), reduceOnly: false })).status).toBe('FILLED')
    } finally {
      await theirs.close()
    }
    // Restored from a backup taken before the exit: the exit order and its fills are gone, the position still open.
    await s.t.db.fill.deleteMany({ where: { orderId: exit.id } })
    await s.t.db.order.delete({ where: { id: exit.id } })
    const { status, openQty, exitQty, avgExitPrice, realizedPnl, fees, closedAt, statusReason } = before
    await s.t.db.position.update({ where: { id: positionId }, data: { status, openQty, exitQty, avgExitPrice, realizedPnl, fees, closedAt, statusReason } })

    const log: string[] = []
    // Two passes at once (two worker processes), then one more: adopted once.
    await Promise.all([adoption(log).runOnce(), adoption(log).runOnce()])
    const third = adoption(log)
    await third.runOnce()
    const row = await s.order(exit.clientOrderId)
    expect(row).toMatchObject({ positionId, purpose: 'MANUAL_EXIT', type: 'MARKET', side: 'SELL', status: 'FILLED', exchangeOrderId: exit.exchangeOrderId, createdBy: 'SYSTEM' })
    const exitTrades = s.fake.trades.filter((t) => String(t.orderId) === exit.exchangeOrderId)
    expect((await s.t.db.fill.findMany({ where: { orderId: row.id } })).map((f) => f.exchangeFillId).sort()).toEqual(exitTrades.map((t) => String(t.id)).sort())
    const p = await s.position(positionId)
    expect([p.status, p.statusReason, fromDb(p.openQty).toFixed()]).toEqual(['CLOSED', 'MANUAL_EXIT', '0'])
    // The books are those the exit had made (the other party's buy is no part of them).
    const books = (x: typeof p) => [x.openQty, x.exitQty, x.avgExitPrice, x.realizedPnl, x.fees].map((d) => (d === null ? null : fromDb(d).toFixed()))
    expect(books(p)).toEqual(books(closed))
    const foreignOrderId = String(s.fake.orders.find((o) => o.clientOrderId === 'web_manual_9')!.orderId)
    const ours = await s.t.db.fill.findMany({ where: { positionId } })
    expect(ours.map((f) => f.exchangeFillId).sort()).toEqual(s.fake.trades.filter((t) => String(t.orderId) !== foreignOrderId).map((t) => String(t.id)).sort())

    const [event, ...more] = await adoptedEvents()
    expect(more).toHaveLength(0)
    expect(event).toMatchObject({ positionId, severity: 'error' })
    expect(event!.message).toMatch(/^An order of ours the database did not know was found among the account's trades of the last 24 hours \(filled there\): SELL MARKET 0\.00999 BTC\/USDT, 0\.00999 filled, tl-x-/)
    expect(event!.message).toMatch(/adopted as the manual exit order of the LONG position on BTC\/USDT; its fills are booked with it: the account's holdings may differ from our books$/)
    expect(log.filter((m) => m.includes(exit.clientOrderId))).toHaveLength(1)
    // Never recorded: the other party's order; and it is looked up once, not again every pass.
    expect(await s.t.db.order.count({ where: { accountId: s.accountId, exchangeOrderId: foreignOrderId } })).toBe(0)
    const lookups = () => requestsTo('GET', '/api/v3/order').filter((r) => r.params.orderId === foreignOrderId).length
    const seen = lookups()
    await third.runOnce()
    expect(lookups()).toBe(seen)
    expect(await adoptedEvents()).toHaveLength(1)
  })

  test('an ended order of ours with no live position to fit is adopted without one, and books nothing against a position', async () => {
    const positionId = await s.openLong()
    await requestExit({ db: s.t.db, positionId, userId: s.userId, actor: s.user(), purpose: 'MANUAL_EXIT', size: { kind: 'ALL' }, reason: 'Closed by hand' })
    const exit = await s.t.db.order.findFirstOrThrow({ where: { positionId, purpose: 'MANUAL_EXIT' } })
    await s.t.db.fill.deleteMany({ where: { orderId: exit.id } })
    await s.t.db.order.delete({ where: { id: exit.id } })
    const closed = await s.position(positionId)

    await adoption().runOnce()
    const row = await s.order(exit.clientOrderId)
    expect([row.status, row.positionId, row.traderId]).toEqual(['FILLED', null, null])
    expect(await s.t.db.fill.count({ where: { orderId: row.id, positionId: null } })).toBe(1)
    expect(await s.position(positionId)).toEqual(closed)
    const [event] = await adoptedEvents()
    expect(event!.message).toMatch(/adopted without a position \(none is open on BTC\/USDT\)/)
  })
})

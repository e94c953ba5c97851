import { describe, expect, test } from 'vitest'
import { parseEnv } from '@/lib/config/env'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec } from '@/lib/domain/decimal'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import { ORDER_ADOPTED } from '@/lib/server/orders/adopt-open-orders'
import { keepProtected } from '@/lib/server/protection/keep-protected'
import { OrderAdoption } from '@/workers/reconcile/order-adoption'
import { startWorker } from '@/workers/worker'
import { startFakeBinance } from '@/tests/support/fake-binance'
import { binanceWithTimeout, isNewOrder, restingStopsOn } from '@/tests/support/live-binance-account'
import { liveBinanceScenario } from '@/tests/support/live-binance-scenario'
import { waitFor } from '@/tests/support/wait-for'

/**
 * Orders of ours resting on Binance that the database lacks (restored from a backup taken before
 * they were placed) are adopted: recorded with the exchange's facts, attached to their position,
 * kept up to date and booked like any other; others' orders are never touched.
 */
describe('Binance spot: orders of ours the database lost are adopted', () => {
  const s = liveBinanceScenario()
  const log: string[] = []
  const adoption = () => {
    log.length = 0
    return new OrderAdoption(s.t.db, s.worker, (m) => log.push(m))
  }
  /** A protected LONG whose stop row is gone, as after a restore: the stop still rests on the exchange. */
  async function protectedWithStopForgotten() {
    const { positionId, stop } = await s.openProtected()
    await s.t.db.order.delete({ where: { clientOrderId: stop.clientOrderId } })
    return { positionId, stop }
  }
  const adoptedEvents = () => s.t.db.activityEvent.findMany({ where: { type: ORDER_ADOPTED, userId: s.userId } })
  /** Log lines about this test's account (the accounts of earlier tests, their fakes gone, fail to read). */
  const about = async (lines: string[]) => {
    const { name } = await s.t.db.exchangeAccount.findUniqueOrThrow({ where: { id: s.accountId } })
    return lines.filter((m) => m.includes(`"${name}"`))
  }

  test('(a) one pass adopts the stop as the position\'s own; the keeper finds it in place and the exchange holds one stop', async () => {
    const { positionId, stop } = await protectedWithStopForgotten()
    const sent = s.newOrdersSent()

    await adoption().runOnce()
    const row = await s.order(stop.clientOrderId)
    expect(row).toMatchObject({
      positionId, traderId: s.traderId, purpose: 'STOP_LOSS', type: 'STOP_MARKET', side: 'SELL', status: 'SUBMITTED',
      exchangeOrderId: String(stop.orderId), createdBy: 'SYSTEM', reduceOnly: true, price: null,
    })
    expect([fromDb(row.qty).toFixed(), fromDb(row.triggerPrice!).toFixed(), fromDb(row.filledQty).toFixed()]).toEqual(['0.00999', '59000', '0'])
    const [event, ...more] = await adoptedEvents()
    expect(more).toHaveLength(0)
    expect(event).toMatchObject({ userId: s.userId, positionId, traderId: s.traderId, severity: 'error' })
    expect(event!.message).toMatch(/^An order of ours the database did not know was found resting on the exchange: SELL STOP_LOSS_LIMIT 0\.00999 BTC\/USDT \(limit \d+(\.\d+)?, trigger 59000\), tl-sp-/)
    expect(event!.message).toMatch(/adopted as the stop loss order of the LONG position on BTC\/USDT$/)
    expect((await about(log)).filter((m) => m.includes(stop.clientOrderId))).toHaveLength(1)

    expect(await keepProtected({ db: s.t.db, positionId, actor: s.worker })).toBe('in-place')
    expect(restingStopsOn(s.fake)).toHaveLength(1)
    expect(s.newOrdersSent()).toBe(sent)
    // A second pass finds it known: nothing more.
    await adoption().runOnce()
    expect(await adoptedEvents()).toHaveLength(1)
    expect(await about(log)).toEqual([])
  })

  test('(a) an adopted stop that no longer fits the position is swapped by cancel-replace, never stacked', async () => {
    const { positionId, stop } = await protectedWithStopForgotten()
    // The restored books hold another stop price than the one resting.
    await s.t.db.position.update({ where: { id: positionId }, data: { stopLoss: '59500' } })
    await adoption().runOnce()
    expect((await s.order(stop.clientOrderId)).positionId).toBe(positionId)

    expect(await keepProtected({ db: s.t.db, positionId, actor: s.worker })).toBe('placed')
    const [resting, ...others] = restingStopsOn(s.fake)
    expect(others).toHaveLength(0)
    expect(resting!.stopPrice.toFixed()).toBe('59500')
    expect(s.fake.requests.filter((r) => r.path === '/api/v3/order/cancelReplace')).toHaveLength(1)
    expect(s.fake.orders.find((o) => o.clientOrderId === stop.clientOrderId)!.status).toBe('CANCELED')
    expect((await s.order(stop.clientOrderId)).status).toBe('CANCELED')
    expect(s.sells()).toHaveLength(0)
    expect((await s.position(positionId)).status).toBe('MONITORING')
  })

  test('(b) the adopted stop executes on the exchange: reconciliation books its fills once and closes the position', async () => {
    const { positionId, stop } = await protectedWithStopForgotten()
    await adoption().runOnce()
    s.fake.setFillSplit(2)
    await s.price('58900.00', '58900.01')
    expect(s.fake.orders.find((o) => o.clientOrderId === stop.clientOrderId)!.status).toBe('FILLED')

    await s.reconcileUntil(async () => (await s.position(positionId)).status === 'CLOSED')
    await s.reconciler().runOnce() // once more: nothing is booked twice
    const p = await s.position(positionId)
    expect(p.statusReason).toBe('STOP_LOSS')
    expect((await s.order(stop.clientOrderId)).status).toBe('FILLED')
    expect(await s.t.db.fill.count({ where: { order: { clientOrderId: stop.clientOrderId } } })).toBe(2)
    await s.expectBooksEqualExchange(positionId)
    expect(s.sells()).toHaveLength(0)
  })

  test('(b) a stop already partly filled when adopted: its fills are booked with it', async () => {
    const { positionId, stop } = await protectedWithStopForgotten()
    // The stop triggers, but the book takes only part of it: it rests partly filled.
    s.fake.setLiquidity('BTC/USDT', '0.004')
    await s.price('58900.00', '58900.01')
    expect(s.fake.orders.find((o) => o.clientOrderId === stop.clientOrderId)!.status).toBe('PARTIALLY_FILLED')

    await adoption().runOnce()
    const row = await s.order(stop.clientOrderId)
    expect([row.status, fromDb(row.filledQty).toFixed(), row.positionId]).toEqual(['PARTIALLY_FILLED', '0.004', positionId])
    const p = await s.position(positionId)
    expect(fromDb(p.openQty).toFixed()).toBe('0.00599')
    await s.expectBooksEqualExchange(positionId)
  })

  test('(c) an order not placed by Tradeloop is never touched, and said once', async () => {
    const positionId = await s.openLong()
    const theirs = binanceWithTimeout(s.fake, s.accountId, 5000)
    try {
      const placed = await theirs.placeOrder({ clientOrderId: 'web_manual_1', symbol: 'BTC/USDT', side: 'BUY', type: 'LIMIT', qty: dec('0.001'), price: dec('50000'), reduceOnly: false })
      expect(placed.status).toBe('SUBMITTED')
    } finally {
      await theirs.close()
    }
    const requestsBefore = s.fake.requests.length
    const a = adoption()
    await a.runOnce()
    await a.runOnce()
    expect(await s.t.db.order.count({ where: { clientOrderId: 'web_manual_1' } })).toBe(0)
    expect(await adoptedEvents()).toHaveLength(0)
    expect(await about(log)).toEqual([expect.stringMatching(/1 order\(s\) not placed by Tradeloop rest on the exchange \(BTC\/USDT\); left alone$/)])
    // Only reads went out: no cancel, no order.
    expect(s.fake.requests.slice(requestsBefore).every((r) => r.method === 'GET')).toBe(true)
    expect(s.fake.orders.find((o) => o.clientOrderId === 'web_manual_1')!.status).toBe('NEW')
    // Nor does the keeper take it for a stop of the position.
    expect(await keepProtected({ db: s.t.db, positionId, actor: s.worker })).toBe('placed')
    expect(s.fake.orders.find((o) => o.clientOrderId === 'web_manual_1')!.status).toBe('NEW')
  })

  test('(d) two passes at once (two worker processes) adopt once; an order being placed right now (NEW here) is never adopted', async () => {
    const { positionId, stop } = await protectedWithStopForgotten()
    const logs: string[] = []
    const two = [0, 1].map(() => new OrderAdoption(s.t.db, s.worker, (m) => logs.push(m)))
    await Promise.all(two.map((x) => x.runOnce()))
    expect(await s.t.db.order.count({ where: { clientOrderId: stop.clientOrderId } })).toBe(1)
    expect(await adoptedEvents()).toHaveLength(1)
    // Said once, and the loser of the race found it recorded: no error.
    expect(await about(logs)).toEqual([expect.stringContaining('did not know')])
    expect((await s.order(stop.clientOrderId)).positionId).toBe(positionId)

    // A stop of ours whose row is NEW (its sender has not stored the answer yet) is left to its sender and reconciliation.
    await s.t.db.order.update({ where: { clientOrderId: stop.clientOrderId }, data: { status: 'NEW', exchangeOrderId: null, submittedAt: null, createdBy: 'WORKER' } })
    await adoption().runOnce()
    expect(await s.order(stop.clientOrderId)).toMatchObject({ status: 'NEW', exchangeOrderId: null, createdBy: 'WORKER' })
    expect(await adoptedEvents()).toHaveLength(1)
  })

  test('a worker started on restored books adopts the stop before its keeper runs: no second stop, no exit at market', async () => {
    const { positionId, stop } = await protectedWithStopForgotten()
    const sent = s.newOrdersSent()
    await closeLiveAdapters()
    const feed = await startFakeBinance()
    feed.setPrice('BTC/USDT', s.lastQuote.bid, s.lastQuote.ask)
    const workerLog: string[] = []
    const cfg = parseEnv({ MARKET_DATA_SOURCE: 'exchange', MARKET_DATA_URL: feed.url, MARKET_POLL_INTERVAL_MS: '200', WORKER_HEARTBEAT_MS: '500' })
    const w = await startWorker({ db: s.t.db, cfg, databaseUrl: s.t.url, log: (m) => workerLog.push(m), reconcile: { intervalMs: 250, recheckAfterMs: 0 } })
    try {
      await waitFor(async () => (await s.t.db.order.findUnique({ where: { clientOrderId: stop.clientOrderId } }))?.positionId === positionId, 'the stop adopted')
      // Several keeper sweeps and reconciliation passes later, the one stop still stands alone.
      await new Promise((r) => setTimeout(r, 1500))
    } finally {
      await w.stop()
      await feed.close()
    }
    expect(s.fake.requests.filter(isNewOrder)).toHaveLength(sent)
    expect(restingStopsOn(s.fake)).toHaveLength(1)
    expect(s.sells()).toHaveLength(0)
    expect((await s.position(positionId)).status).toBe('MONITORING')
    expect(workerLog.some((m) => m.includes('did not know') && m.includes(stop.clientOrderId))).toBe(true)
    expect(workerLog.filter((m) => /refused the stop/.test(m))).toHaveLength(0)
  })
})

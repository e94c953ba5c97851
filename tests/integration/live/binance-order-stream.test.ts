import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec } from '@/lib/domain/decimal'
import { getExchangeAccount } from '@/lib/server/exchange-accounts/list-exchange-accounts'
import { openPosition } from '@/lib/server/positions/open-position'
import { OrderReconciler } from '@/workers/reconcile/reconcile-orders'
import { startFakeBinanceWsApi, type FakeBinanceWsApi } from '@/tests/support/fake-binance-ws-api'
import { liveBinanceScenario } from '@/tests/support/live-binance-scenario'
import { orderStreamHarness } from '@/tests/support/order-stream-harness'
import { waitFor } from '@/tests/support/wait-for'

/**
 * Order and fill updates from Binance's private stream (issue 9): the worker's OrderStream on a
 * TESTNET account whose base URL is the fake Binance, whose port also speaks Binance's WebSocket
 * API. Real ccxt (pro) end to end, real PostgreSQL.
 */
describe("order and fill updates from Binance's user data stream", () => {
  const s = liveBinanceScenario()
  let ws: FakeBinanceWsApi
  let reconciler: OrderReconciler | null
  const h = orderStreamHarness({ db: () => s.t.db, actor: () => s.worker, accountId: () => s.accountId })

  beforeEach(() => {
    ws = startFakeBinanceWsApi(s.fake)
    reconciler = null
  })
  afterEach(async () => {
    await h.stop()
    await reconciler?.stop()
    await ws.close()
  })

  const closed = (positionId: string, ms: number) =>
    waitFor(async () => {
      const p = await s.position(positionId)
      return p.status === 'CLOSED' ? p : null
    }, 'the position to close', ms)
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
  const orderLookups = (from: number) => s.fake.requests.slice(from).filter((r) => r.method === 'GET' && r.path === '/api/v3/order')

  test('a stop executing on the exchange is booked from the stream within moments, with no reconciliation and no REST request', async () => {
    const { positionId, stop } = await s.openProtected()
    h.start()
    await h.subscribed(1)
    await waitFor(async () => h.passesDone === 1, 'the pass asked for on subscribing')

    const before = s.fake.requests.length
    const t0 = Date.now()
    await s.price('58900.00', '58900.01')
    expect(s.fake.orders.find((o) => o.orderId === stop.orderId)!.status).toBe('FILLED')
    const p = await closed(positionId, 2000)
    expect(Date.now() - t0).toBeLessThan(2000)
    expect(p.statusReason).toBe('STOP_LOSS')
    // Booked from the pushed events alone: no lookup, no fills read, no pass since the one at subscription.
    expect(s.fake.requests.slice(before)).toEqual([])
    expect(h.passes).toBe(1)
    const row = await s.order(stop.clientOrderId)
    expect(row.status).toBe('FILLED')
    expect(fromDb(row.filledQty).toFixed()).toBe(stop.origQty.toFixed())
    expect(fromDb(row.avgFillPrice!).toFixed()).toBe('58900')
    await s.expectBooksEqualExchange(positionId)
  })

  test('the same events delivered twice book once', async () => {
    const { positionId, stop } = await s.openProtected()
    h.start()
    await h.subscribed(1)
    await s.price('58900.00', '58900.01')
    await closed(positionId, 2000)
    const fills = await s.t.db.fill.count({ where: { positionId } })
    const events = await s.t.db.positionEvent.count({ where: { positionId } })
    const order = await s.order(stop.clientOrderId)

    const again = ws.events.filter((e) => e.i === stop.orderId)
    expect(again.map((e) => e.x)).toEqual(['NEW', 'NEW', 'TRADE'])
    const reports = h.status()!.reports
    const sent = ws.resend([...again, ...again])
    expect(sent).toBe(6)
    await waitFor(async () => h.status()!.reports >= reports + 6, 'the resent events to be handled')
    expect(await s.t.db.fill.count({ where: { positionId } })).toBe(fills)
    expect(await s.t.db.positionEvent.count({ where: { positionId } })).toBe(events)
    expect((await s.order(stop.clientOrderId)).updatedAt).toEqual(order.updatedAt)
    await s.expectBooksEqualExchange(positionId)
  })

  test('the stream down: polling still settles the stop, and the stream keeps dialling', async () => {
    const { positionId, stop } = await s.openProtected()
    h.start()
    await h.subscribed(1)
    ws.refuse(true)
    ws.drop()
    await waitFor(async () => h.status()!.state !== 'subscribed', 'the stream to notice')

    const before = s.fake.requests.length
    await s.price('58900.00', '58900.01')
    await sleep(500)
    expect((await s.position(positionId)).status).toBe('MONITORING') // nothing pushed, nothing booked
    expect(ws.events.some((e) => e.i === stop.orderId && e.x === 'TRADE')).toBe(true)

    // The fallback: the reconciler's schedule.
    reconciler = new OrderReconciler(s.t.db, { actor: s.worker, log: () => {}, recheckAfterMs: 0, intervalMs: 200 })
    reconciler.start()
    const p = await closed(positionId, 5000)
    expect(p.statusReason).toBe('STOP_LOSS')
    expect(orderLookups(before).length).toBeGreaterThan(0)
    await s.expectBooksEqualExchange(positionId)
    expect(ws.connectionAttempts.filter((a) => a.refused).length).toBeGreaterThan(0)
    expect(h.logs.some((m) => /order stream .*: down \(/.test(m))).toBe(true)
  })

  test("the account says how its order updates arrive: streamed, polled while the stream is down (with why), nothing once the worker's stream stops", async () => {
    const view = async () => (await getExchangeAccount({ db: s.t.db, userId: s.userId, accountId: s.accountId })).orderUpdates
    expect(await view()).toBeNull()
    h.start()
    await h.subscribed(1)
    await waitFor(async () => (await view())?.via === 'stream', 'the account to say streamed')
    ws.refuse(true)
    ws.drop()
    const down = await waitFor(async () => {
      const v = await view()
      return v?.via === 'polling' && v.detail?.startsWith('stream down: ') ? v : null
    }, 'the account to say polled')
    expect(down.detail).not.toBe('stream down: no reason given')
    await h.stop()
    expect(await view()).toBeNull()
  })

  test('a reconnect asks for a reconciliation pass, which books what executed while the stream was down', async () => {
    const { positionId } = await s.openProtected()
    const passer = s.reconciler()
    h.start(() => passer.runOnce())
    await h.subscribed(1)
    await waitFor(async () => h.passesDone === 1, 'the first pass')
    ws.refuse(true)
    ws.drop()
    await waitFor(async () => h.status()!.state !== 'subscribed', 'the stream to notice')
    await s.price('58900.00', '58900.01')
    await sleep(300)
    expect((await s.position(positionId)).status).toBe('MONITORING')

    ws.refuse(false)
    await h.subscribed(2)
    await waitFor(async () => h.passesDone === 2, 'the pass after reconnecting')
    const p = await s.position(positionId)
    expect(p.status).toBe('CLOSED')
    expect(p.statusReason).toBe('STOP_LOSS')
    expect(h.passes).toBe(2)
    expect(h.logs.filter((m) => m.includes('subscribed again'))).toHaveLength(1)
    await s.expectBooksEqualExchange(positionId)
  })

  test('a fill event that went missing shows in the running total: the order is looked up instead', async () => {
    s.fake.setFillSplit(2)
    const { positionId, stop } = await s.openProtected()
    h.start()
    await h.subscribed(1)
    let lost = 0
    ws.setLoss((e) => e.i === stop.orderId && e.x === 'TRADE' && lost++ === 0)
    const before = s.fake.requests.length
    await s.price('58900.00', '58900.01')
    await closed(positionId, 3000)
    expect(lost).toBe(2) // the first trade lost, the second delivered
    expect(orderLookups(before)).toHaveLength(1)
    expect(await s.t.db.fill.count({ where: { orderId: (await s.order(stop.clientOrderId)).id } })).toBe(2)
    await s.expectBooksEqualExchange(positionId)
  })

  test('a resting limit entry filling is booked from the stream, and the position armed', async () => {
    h.start()
    await h.subscribed(1)
    const { positionId } = await openPosition({
      db: s.t.db,
      userId: s.userId,
      actor: s.user(),
      input: { traderId: s.traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'LIMIT', limitPrice: '59500', stopLoss: '58000' },
    })
    expect((await s.position(positionId)).status).toBe('SUBMITTING')
    const before = s.fake.requests.length
    await s.price('59400.00', '59400.01')
    const p = await waitFor(async () => {
      const x = await s.position(positionId)
      return x.status === 'MONITORING' ? x : null
    }, 'the entry to be booked', 2000)
    expect(fromDb(p.openQty).toFixed()).toBe('0.00999')
    expect(s.fake.requests.slice(before)).toEqual([])
    const fill = await s.t.db.fill.findFirstOrThrow({ where: { positionId } })
    expect([fill.liquidity, fromDb(fill.price).toFixed()]).toEqual(['MAKER', '59500'])
  })

  test('reports of orders that are not ours are logged once and change nothing', async () => {
    h.start()
    await h.subscribed(1)
    const elsewhere = s.withShortTimeout()
    await elsewhere.placeOrder({ clientOrderId: 'placed-elsewhere-1', symbol: 'BTC/USDT', side: 'BUY', type: 'LIMIT', qty: dec('0.001'), price: dec('50000'), reduceOnly: false })
    await elsewhere.cancelOrder('placed-elsewhere-1', { symbol: 'BTC/USDT' })
    await waitFor(async () => h.status()!.reports >= 2, 'both reports')
    expect(h.logs.filter((m) => m.includes('placed-elsewhere-1'))).toEqual([
      `order stream: placed-elsewhere-1 (SUBMITTED) on account ${s.accountId} is not one of our orders; ignored`,
    ])
    expect(await s.t.db.order.count({ where: { clientOrderId: 'placed-elsewhere-1' } })).toBe(0)
  })
})

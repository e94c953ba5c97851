import { generateKeyPairSync } from 'node:crypto'
import ccxt from 'ccxt'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec } from '@/lib/domain/decimal'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import type { ActorRef } from '@/lib/server/audit/actor'
import { CoinbaseExchange } from '@/lib/exchange/ccxt/coinbase-exchange'
import { CoinbaseOrderStream } from '@/lib/exchange/ccxt/coinbase-order-stream'
import { rewriteHosts } from '@/lib/exchange/ccxt/rest-base-url'
import { closeLiveAdapters } from '@/lib/server/exchange/live-account-exchange'
import { openPosition } from '@/lib/server/positions/open-position'
import { keepProtected } from '@/lib/server/protection/keep-protected'
import { sealSecret } from '@/lib/server/secrets/secret-box'
import { OrderReconciler } from '@/workers/reconcile/reconcile-orders'
import { startFakeCoinbase, type FakeCoinbase } from '@/tests/support/fake-coinbase'
import { startFakeCoinbaseWs, type FakeCoinbaseWs } from '@/tests/support/fake-coinbase-ws'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'
import { orderStreamHarness } from '@/tests/support/order-stream-harness'
import { waitFor } from '@/tests/support/wait-for'

// Coinbase accounts are LIVE only (no usable sandbox): the second key is on, for a LIVE account
// whose REST host (and so its websocket host) is a local server.
process.env.LIVE_TRADING_ENABLED = 'true'

const KEY_NAME = 'organizations/org-test/apiKeys/key-stream'
const key = generateKeyPairSync('ec', {
  namedCurve: 'prime256v1',
  privateKeyEncoding: { type: 'sec1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
})
const ORDER_BY_ID = /^\/api\/v3\/brokerage\/orders\/historical\/(?!batch$|fills$)[^/]+$/

/**
 * Order updates from Coinbase Advanced Trade's websocket `user` channel (issue 9): the worker's
 * OrderStream on a LIVE account whose base URL is the fake Coinbase, whose port also speaks the
 * Advanced Trade websocket. Real ccxt (pro) end to end, real PostgreSQL. The channel carries
 * running totals and no trades, so fills are booked from the REST lookup it triggers.
 */
describe("order updates from Coinbase's user channel", () => {
  let t: TestDatabase
  let fake: FakeCoinbase
  let ws: FakeCoinbaseWs
  let userId: string
  let traderId: string
  let accountId: string
  let reconciler: OrderReconciler | null
  let accounts = 0
  const worker: ActorRef = { kind: 'WORKER', id: 'coinbase-stream-test' }
  const h = orderStreamHarness({ db: () => t.db, actor: () => worker, accountId: () => accountId })

  beforeAll(async () => {
    t = await createTestDatabase()
    userId = (await t.db.user.create({ data: { email: 'cb-stream@example.com', passwordHash: 'x' } })).id
  })
  afterAll(async () => {
    await closeLiveAdapters()
    await t.drop()
  })
  beforeEach(async () => {
    fake = await startFakeCoinbase({ apiKey: KEY_NAME, publicKeyPem: key.publicKey, balances: { USD: '10000' } })
    ws = startFakeCoinbaseWs(fake, { heartbeatMs: 200 })
    // A new account per test; the previous one loses its keys, so the worker streams this one only.
    await t.db.exchangeAccount.updateMany({ where: { userId }, data: { apiKeyEnc: null, secretEnc: null } })
    const account = await t.db.exchangeAccount.create({
      data: {
        userId, name: `Coinbase ${++accounts}`, kind: 'CCXT', venue: 'coinbase', mode: 'LIVE', apiKeyEnc: sealSecret(KEY_NAME), secretEnc: sealSecret(key.privateKey),
        keyHint: '••••strm', baseUrl: fake.url, quoteCurrency: 'USD', makerFeeRate: '0.004', takerFeeRate: '0.006', reconciledAt: new Date(),
      },
    })
    accountId = account.id
    traderId = (await t.db.trader.create({ data: { userId, accountId, name: `CB ${accounts}`, quoteCurrency: 'USD', watchlist: ['BTC/USD'] } })).id
    await useManualTraderSettings(t.db, traderId)
    await price('60000.00', '60000.01')
    reconciler = null
  })
  afterEach(async () => {
    await h.stop()
    await reconciler?.stop()
    await closeLiveAdapters()
    await ws.close()
    await fake.close()
  })

  async function price(bid: string, ask: string) {
    fake.setPrice('BTC/USD', bid, ask)
    await seedMarket(t.db, { symbol: 'BTC/USD', bid, ask })
  }
  /** A market entry, then its stop-limit resting on Coinbase under our client order id. */
  async function openProtected() {
    const { positionId } = await openPosition({
      db: t.db,
      userId,
      actor: { kind: 'USER', id: userId },
      input: { traderId, symbol: 'BTC/USD', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000' },
    })
    expect(await keepProtected({ db: t.db, positionId, actor: worker })).toBe('placed')
    const resting = fake.orders.filter((o) => o.status === 'OPEN' && o.order_type === 'STOP_LIMIT')
    expect(resting).toHaveLength(1)
    return { positionId, stop: resting[0]! }
  }
  const position = (id: string) => t.db.position.findUniqueOrThrow({ where: { id } })
  const closed = (positionId: string, ms: number) =>
    waitFor(async () => {
      const p = await position(positionId)
      return p.status === 'CLOSED' ? p : null
    }, 'the position to close', ms)
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
  const reconcilerNow = () => new OrderReconciler(t.db, { actor: worker, log: () => {}, newOrderGraceMs: 0, recheckAfterMs: 0, notFoundBudget: 2, exitRetryBackoffMs: () => 0 })
  /** Our fills of a position are exactly the exchange's trades of its orders: ids, sizes, prices, fees. */
  async function expectFillsEqualExchange(positionId: string) {
    const ours = await t.db.fill.findMany({ where: { positionId }, orderBy: { exchangeFillId: 'asc' } })
    const orderIds = new Set((await t.db.order.findMany({ where: { positionId } })).map((o) => o.exchangeOrderId))
    const theirs = fake.fills.filter((f) => orderIds.has(f.order_id)).sort((a, b) => a.trade_id.localeCompare(b.trade_id))
    expect(ours.map((f) => [f.exchangeFillId, fromDb(f.qty).toFixed(), fromDb(f.price).toFixed(), fromDb(f.fee).toFixed()])).toEqual(
      theirs.map((f) => [f.trade_id, f.size.toFixed(), f.price.toFixed(), f.commission.toFixed()]),
    )
  }

  test('a resting stop-limit executing on Coinbase is booked from the stream at once: its exact fills, once, read by one lookup', async () => {
    const { positionId, stop } = await openProtected()
    fake.setFillSplit(2) // two trades for the stop: both must be booked as Coinbase lists them
    h.start()
    await h.subscribed(1)
    await waitFor(async () => h.passesDone === 1, 'the pass asked for on subscribing')
    // ccxt's subscription: the user channel with its JWT, and heartbeats to keep the connection open.
    const subs = ws.received.map((r) => r.message).filter((m) => m.type === 'subscribe')
    expect(subs.map((m) => m.channel).sort()).toEqual(['heartbeats', 'user'])
    expect(typeof subs.find((m) => m.channel === 'user')!.jwt).toBe('string')

    const before = fake.requests.length
    const updatesBefore = ws.updates.length
    const t0 = Date.now()
    await price('58990.00', '58990.01')
    expect(fake.orders.find((o) => o.order_id === stop.order_id)!.status).toBe('FILLED')
    const p = await closed(positionId, 2000)
    expect(Date.now() - t0).toBeLessThan(2000)
    expect(p.statusReason).toBe('STOP_LOSS')
    expect(h.passes).toBe(1) // no reconciliation pass did it
    // One update (FILLED, running total 0.01, no trade in it) → one lookup: the order, then its fills.
    expect(ws.updates.slice(updatesBefore).filter((u) => u.order_id === stop.order_id).map((u) => [u.status, u.cumulative_quantity])).toEqual([['FILLED', '0.01']])
    const lookups = fake.requests.slice(before).map((r) => (ORDER_BY_ID.test(r.path) ? 'GET order' : `${r.method} ${r.path}`))
    expect(lookups).toEqual(['GET order', 'GET /api/v3/brokerage/orders/historical/fills'])

    const row = await t.db.order.findUniqueOrThrow({ where: { clientOrderId: stop.client_order_id } })
    expect(row.status).toBe('FILLED')
    expect(fromDb(row.filledQty).toFixed()).toBe('0.01')
    expect(await t.db.fill.count({ where: { orderId: row.id } })).toBe(2)
    await expectFillsEqualExchange(positionId)
    expect(fake.balance('BTC').available.plus(fake.balance('BTC').hold).isZero()).toBe(true)
    expect(fromDb(p.realizedPnl).toFixed()).toBe(fake.balance('USD').available.minus(10000).toFixed())
  })

  test('the same update delivered twice books once, and asks nothing of REST', async () => {
    const { positionId, stop } = await openProtected()
    h.start()
    await h.subscribed(1)
    await price('58990.00', '58990.01')
    await closed(positionId, 2000)
    const fills = await t.db.fill.count({ where: { positionId } })
    const events = await t.db.positionEvent.count({ where: { positionId } })
    const order = await t.db.order.findUniqueOrThrow({ where: { clientOrderId: stop.client_order_id } })

    const again = ws.updates.filter((u) => u.order_id === stop.order_id)
    expect(again.map((u) => u.status)).toEqual(['OPEN', 'FILLED'])
    const reports = h.status()!.reports
    const before = fake.requests.length
    // The stale OPEN (0 filled) is older than what we hold; the FILLED one is what we hold.
    expect(ws.resend([...again, ...again])).toBe(4)
    await waitFor(async () => h.status()!.reports >= reports + 4, 'the resent updates to be handled')
    expect(await t.db.fill.count({ where: { positionId } })).toBe(fills)
    expect(await t.db.positionEvent.count({ where: { positionId } })).toBe(events)
    expect((await t.db.order.findUniqueOrThrow({ where: { clientOrderId: stop.client_order_id } })).updatedAt).toEqual(order.updatedAt)
    // The running total is what we hold: nothing to look up.
    expect(fake.requests.slice(before)).toEqual([])
    await expectFillsEqualExchange(positionId)
  })

  test('a cancel made elsewhere (nothing filled) is applied straight from the update, with no lookup', async () => {
    const { stop } = await openProtected()
    h.start()
    await h.subscribed(1)
    const elsewhere = new CoinbaseExchange({ accountId: 'elsewhere', apiKey: KEY_NAME, secret: key.privateKey, baseUrl: fake.url })
    try {
      const before = fake.requests.length
      await elsewhere.cancelOrder(stop.client_order_id, { symbol: 'BTC/USD' })
      const mine = fake.requests.length
      const row = await waitFor(async () => {
        const o = await t.db.order.findUniqueOrThrow({ where: { clientOrderId: stop.client_order_id } })
        return o.status === 'CANCELED' ? o : null
      }, 'the cancel to be applied', 2000)
      expect(fromDb(row.filledQty).isZero()).toBe(true)
      expect(mine).toBeGreaterThan(before) // the other process's own requests…
      expect(fake.requests.slice(mine)).toEqual([]) // …and none from the worker
    } finally {
      await elsewhere.close()
    }
  })

  test('the stream down: polling still settles the stop, and the stream keeps dialling', async () => {
    const { positionId, stop } = await openProtected()
    h.start()
    await h.subscribed(1)
    ws.refuse(true)
    ws.drop()
    await waitFor(async () => h.status()!.state !== 'subscribed', 'the stream to notice')

    await price('58990.00', '58990.01')
    await sleep(500)
    expect((await position(positionId)).status).toBe('MONITORING') // nothing pushed, nothing booked
    expect(ws.updates.some((u) => u.order_id === stop.order_id && u.status === 'FILLED')).toBe(true)

    reconciler = new OrderReconciler(t.db, { actor: worker, log: () => {}, recheckAfterMs: 0, intervalMs: 200 })
    reconciler.start()
    const p = await closed(positionId, 5000)
    expect(p.statusReason).toBe('STOP_LOSS')
    await expectFillsEqualExchange(positionId)
    expect(ws.connectionAttempts.filter((a) => a.refused).length).toBeGreaterThan(0)
    expect(h.logs.some((m) => /order stream .*: down \(/.test(m))).toBe(true)
  })

  test('a reconnect asks for a reconciliation pass, which books what executed while the stream was down', async () => {
    const { positionId } = await openProtected()
    const passer = reconcilerNow()
    h.start(() => passer.runOnce())
    await h.subscribed(1)
    await waitFor(async () => h.passesDone === 1, 'the first pass')
    ws.refuse(true)
    ws.drop()
    await waitFor(async () => h.status()!.state !== 'subscribed', 'the stream to notice')
    await price('58990.00', '58990.01')
    await sleep(300)
    expect((await position(positionId)).status).toBe('MONITORING')

    ws.refuse(false)
    await h.subscribed(2)
    await waitFor(async () => h.passesDone === 2, 'the pass after reconnecting')
    const p = await position(positionId)
    expect(p.status).toBe('CLOSED')
    expect(p.statusReason).toBe('STOP_LOSS')
    expect(h.passes).toBe(2)
    expect(h.logs.filter((m) => m.includes('subscribed again'))).toHaveLength(1)
    await expectFillsEqualExchange(positionId)
  })

  test('updates of orders that are not ours are logged once and change nothing', async () => {
    h.start()
    await h.subscribed(1)
    const elsewhere = new CoinbaseExchange({ accountId: 'elsewhere', apiKey: KEY_NAME, secret: key.privateKey, baseUrl: fake.url })
    try {
      await elsewhere.placeOrder({ clientOrderId: 'placed-elsewhere-1', symbol: 'BTC/USD', side: 'BUY', type: 'LIMIT', qty: dec('0.001'), price: dec('50000'), reduceOnly: false })
      await elsewhere.cancelOrder('placed-elsewhere-1', { symbol: 'BTC/USD' })
    } finally {
      await elsewhere.close()
    }
    await waitFor(async () => h.status()!.reports >= 2, 'both updates')
    expect(h.logs.filter((m) => m.includes('placed-elsewhere-1'))).toEqual([
      `order stream: placed-elsewhere-1 (SUBMITTED) on account ${accountId} is not one of our orders; ignored`,
    ])
    expect(await t.db.order.count({ where: { clientOrderId: 'placed-elsewhere-1' } })).toBe(0)
  })

  test('a subscription whose token names another key is refused: the watch fails with Coinbase’s words', async () => {
    // The REST side (markets) with our key; the stream's own token made with another key.
    const rest = new ccxt.coinbase({ apiKey: KEY_NAME, secret: key.privateKey, has: { fetchCurrencies: false } })
    rest.urls['api'] = rewriteHosts(rest.urls['api'], fake.url)
    await rest.loadMarkets()
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1', privateKeyEncoding: { type: 'sec1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
    const s = new CoinbaseOrderStream({ apiKey: 'organizations/org-test/apiKeys/someone-else', secret: other.privateKey, baseUrl: fake.url, restWithMarkets: async () => rest })
    const abort = new AbortController()
    try {
      let subscribedOnce = false
      const error = await s.watch({ onSubscribed: () => void (subscribedOnce = true), onReport: async () => {} }, abort.signal).then(
        () => null,
        (x: unknown) => x,
      )
      expect(error).toBeInstanceOf(ExchangeError)
      expect((error as Error).message).toMatch(/authentication failure/)
      expect(subscribedOnce).toBe(false)
      const sent = ws.received.map((r) => r.message).find((m) => m.channel === 'user')!
      const header = JSON.parse(Buffer.from(String(sent.jwt).split('.')[0]!, 'base64url').toString()) as { kid: string }
      expect(header.kid).toBe('organizations/org-test/apiKeys/someone-else')
    } finally {
      abort.abort()
      await s.close()
      await rest.close()
    }
  })
})

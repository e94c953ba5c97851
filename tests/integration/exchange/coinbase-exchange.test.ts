import { generateKeyPairSync } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { CoinbaseExchange, type CoinbaseExchangeOptions } from '@/lib/exchange/ccxt/coinbase-exchange'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import type { PlaceOrderRequest } from '@/lib/exchange/port'
import { startFakeCoinbase, type FakeCoinbase, type FakeCoinbaseOptions } from '@/tests/support/fake-coinbase'

// The real ccxt `coinbase` class against a local server speaking Coinbase Advanced Trade's REST v3,
// authenticated with a CDP key: ccxt signs an ES256 JWT per request and the fake verifies it.

const KEY_NAME = 'organizations/org-test/apiKeys/key-test'
const cdpKey = () =>
  generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  })
const key = cdpKey()

let fake: FakeCoinbase
let running: FakeCoinbase | undefined
const adapters: CoinbaseExchange[] = []

/** (Re)starts the fake; a test that needs other options calls it again. */
async function startFake(opts: Partial<FakeCoinbaseOptions> = {}) {
  await running?.close()
  running = fake = await startFakeCoinbase({ apiKey: KEY_NAME, publicKeyPem: key.publicKey, ...opts })
}

function adapter(opts: Partial<CoinbaseExchangeOptions> = {}): CoinbaseExchange {
  const a = new CoinbaseExchange({ accountId: 'acc-cb', apiKey: KEY_NAME, secret: key.privateKey, baseUrl: fake.url, timeoutMs: 1500, ...opts })
  adapters.push(a)
  return a
}

const order = (o: Partial<PlaceOrderRequest> & { clientOrderId: string }): PlaceOrderRequest => ({
  symbol: 'BTC/USD', side: 'BUY', type: 'MARKET', qty: dec('0.01'), reduceOnly: false, ...o,
})

const CREATE = '/api/v3/brokerage/orders'
const postsFor = (cid: string) =>
  fake.requests.filter((r) => r.method === 'POST' && r.path === CREATE && (r.body as { client_order_id?: string })?.client_order_id === cid)
const bodyOf = (cid: string) => {
  const posts = postsFor(cid)
  expect(posts).toHaveLength(1)
  return posts[0]!.body as Record<string, unknown>
}
const orderReads = () => fake.requests.filter((r) => r.method === 'GET' && /\/orders\/historical\/(?!batch$|fills$)[^/]+$/.test(r.path))

async function failure(p: Promise<unknown>): Promise<ExchangeError> {
  const e = await p.then(() => undefined, (x: unknown) => x)
  expect(e).toBeInstanceOf(ExchangeError)
  return e as ExchangeError
}

beforeEach(async () => {
  await startFake()
})

afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.close()))
  await running?.close()
  running = undefined
})

describe('markets, balances and the key', () => {
  test('rules come from the product exactly; loadMarkets calls only the v3 product lists and the fee tier (no v2 currencies)', async () => {
    const rules = await adapter().marketRules('SOL/USDC')
    expect({ tick: rules.tickSize.toFixed(), step: rules.stepSize.toFixed(), minQty: rules.minQty.toFixed(), minNotional: rules.minNotional.toFixed() })
      .toEqual({ tick: '0.01', step: '0.001', minQty: '0.01', minNotional: '1' })
    expect(fake.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /api/v3/brokerage/market/products',
      'GET /api/v3/brokerage/market/products',
      'GET /api/v3/brokerage/market/products',
      'GET /api/v3/brokerage/transaction_summary',
    ])
    // The fee tier is private: signed with the CDP key, and the fake verified the JWT.
    expect(fake.requests.find((r) => r.path.endsWith('/transaction_summary'))!.keyName).toBe(KEY_NAME)
  })

  test('balances are available + hold, summed over every page of accounts; vaults are left out', async () => {
    await startFake({ maxPageSize: 2, vaultBalances: { BTC: '5' } })
    const a = adapter()
    await a.placeOrder(order({ clientOrderId: 'hold-1', type: 'LIMIT', price: dec('50000'), qty: dec('0.1') }))
    expect(fake.balance('USD').hold.toFixed()).toBe('5030') // 0.1 × 50000 × (1 + 0.006 taker) held for the resting buy
    const balances = await a.fetchBalances()
    expect(balances.map((b) => [b.asset, b.amount.toFixed()])).toEqual([['BTC', '1'], ['ETH', '10'], ['USD', '100000'], ['USDC', '10000']])
    const pages = fake.requests.filter((r) => r.path === '/api/v3/brokerage/accounts')
    expect(pages.length).toBe(3) // 5 accounts (4 + the vault), 2 per page
    expect(pages.every((r) => r.keyName === KEY_NAME)).toBe(true)
  })

  test('checkConnection: balances and what the key may do (can_trade, can_transfer → withdraw)', async () => {
    fake.setPermissions({ canTrade: true, canTransfer: true })
    const a = adapter()
    const first = await a.checkConnection()
    expect([first.canTrade, first.canWithdraw, first.balances.length]).toEqual([true, true, 4])
    fake.setPermissions({ canTrade: false, canTransfer: false })
    const second = await a.checkConnection()
    expect([second.canTrade, second.canWithdraw]).toEqual([false, false])
    expect(fake.requests.filter((r) => r.path === '/api/v3/brokerage/key_permissions')).toHaveLength(2)
  })
})

describe('orders that go through', () => {
  test('market buy: base_size (not quote_size), exactly our client_order_id, fills with exact fees in USD', async () => {
    fake.setFillSplit(2)
    const report = await adapter().placeOrder(order({ clientOrderId: 'entry-1', qty: dec('0.01') }))
    const body = bodyOf('entry-1')
    expect(body).toEqual({ client_order_id: 'entry-1', product_id: 'BTC-USD', side: 'BUY', order_configuration: { market_market_ioc: { base_size: '0.01' } } })
    expect(report.status).toBe('FILLED')
    expect(report.clientOrderId).toBe('entry-1')
    expect(report.exchangeOrderId).toBe(fake.orders[0]!.order_id)
    expect(report.filledQty.toFixed()).toBe('0.01')
    // 0.005 × 60000.01 × 0.006 and 0.005 × 60000.02 × 0.006, to the last digit.
    expect(report.fills.map((f) => [f.exchangeFillId, f.qty.toFixed(), f.price.toFixed(), f.fee.toFixed(), f.feeAsset, f.liquidity])).toEqual([
      [fake.fills[0]!.trade_id, '0.005', '60000.01', '1.8000003', 'USD', 'TAKER'],
      [fake.fills[1]!.trade_id, '0.005', '60000.02', '1.8000006', 'USD', 'TAKER'],
    ])
    const fillReads = fake.requests.filter((r) => r.path === '/api/v3/brokerage/orders/historical/fills')
    expect(fillReads.at(-1)!.query.order_ids).toEqual([fake.orders[0]!.order_id])
  })

  test('market sell: base_size, filled at the bid, proceeds less fee credited', async () => {
    const report = await adapter().placeOrder(order({ clientOrderId: 'exit-1', symbol: 'ETH/USD', side: 'SELL', qty: dec('0.5') }))
    expect(bodyOf('exit-1')).toMatchObject({ client_order_id: 'exit-1', product_id: 'ETH-USD', side: 'SELL', order_configuration: { market_market_ioc: { base_size: '0.5' } } })
    expect(report.status).toBe('FILLED')
    expect(report.fills.map((f) => [f.qty.toFixed(), f.price.toFixed(), f.fee.toFixed(), f.feeAsset])).toEqual([['0.5', '3000', '9', 'USD']])
    expect([fake.balance('ETH').available.toFixed(), fake.balance('USD').available.toFixed()]).toEqual(['9.5', '101491'])
  })

  test('limit GTC rests, then fills as maker when the price crosses it', async () => {
    const a = adapter()
    const placed = await a.placeOrder(order({ clientOrderId: 'lim-1', type: 'LIMIT', price: dec('59000.5'), qty: dec('0.02') }))
    expect(placed.status).toBe('SUBMITTED')
    expect(bodyOf('lim-1')).toMatchObject({ order_configuration: { limit_limit_gtc: { base_size: '0.02', limit_price: '59000.5', post_only: false } } })
    fake.setPrice('BTC/USD', '58999.00', '58999.01')
    const now = await a.fetchOrder('lim-1')
    expect(now?.status).toBe('FILLED')
    // 0.02 × 59000.5 × 0.004 maker.
    expect(now?.fills.map((f) => [f.qty.toFixed(), f.price.toFixed(), f.fee.toFixed(), f.feeAsset, f.liquidity])).toEqual([['0.02', '59000.5', '4.72004', 'USD', 'MAKER']])
  })

  test.each([
    // 58000.03 × 0.99 = 57420.0297, rounded down (further out) to the tick.
    { side: 'SELL' as const, trigger: '58000.03', limit: '57420.02', direction: 'STOP_DIRECTION_STOP_DOWN', away: '58500.00', touch: '58000.03', fillAt: '58000.03' },
    // 61000.01 × 1.01 = 61610.0101, rounded up (further out); the ask is bid + one tick.
    { side: 'BUY' as const, trigger: '61000.01', limit: '61610.02', direction: 'STOP_DIRECTION_STOP_UP', away: '60500.00', touch: '61000.01', fillAt: '61000.02' },
  ])('$side STOP_MARKET goes out as stop_limit_stop_limit_gtc ($direction, limit 1 % beyond), rests, triggers on touch', async ({ side, trigger, limit, direction, away, touch, fillAt }) => {
    const a = adapter()
    const placed = await a.placeOrder(order({ clientOrderId: 'stop-1', side, type: 'STOP_MARKET', triggerPrice: dec(trigger), qty: dec('0.5') }))
    expect(placed.status).toBe('SUBMITTED')
    expect(bodyOf('stop-1')).toEqual({
      client_order_id: 'stop-1', product_id: 'BTC-USD', side,
      order_configuration: { stop_limit_stop_limit_gtc: { base_size: '0.5', limit_price: limit, stop_price: trigger, stop_direction: direction } },
    })
    fake.setPrice('BTC/USD', away)
    expect((await a.fetchOrder('stop-1'))?.status).toBe('SUBMITTED')
    fake.setPrice('BTC/USD', touch)
    const done = await a.fetchOrder('stop-1')
    expect(done?.status).toBe('FILLED')
    expect(done?.fills.map((f) => [f.qty.toFixed(), f.price.toFixed(), f.feeAsset, f.liquidity])).toEqual([['0.5', fillAt, 'USD', 'TAKER']])
  })

  test('partial fills: a market order beyond the book is canceled with what it got; a limit stays PARTIALLY_FILLED', async () => {
    const a = adapter()
    fake.setLiquidity('BTC/USD', '0.004')
    const market = await a.placeOrder(order({ clientOrderId: 'part-1', qty: dec('0.01') }))
    expect([market.status, market.filledQty.toFixed(), market.fills.map((f) => f.qty.toFixed())]).toEqual(['CANCELED', '0.004', ['0.004']])
    fake.setLiquidity('BTC/USD', '0.003')
    const limit = await a.placeOrder(order({ clientOrderId: 'part-2', type: 'LIMIT', price: dec('60001'), qty: dec('0.01') }))
    expect([limit.status, limit.filledQty.toFixed()]).toEqual(['PARTIALLY_FILLED', '0.003'])
    const canceled = await a.cancelOrder('part-2')
    expect([canceled.status, canceled.fills.map((f) => f.qty.toFixed())]).toEqual(['CANCELED', ['0.003']])
  })

  test('cancel is idempotent: a canceled or filled order is reported as it is; an unknown one is a rejection', async () => {
    const a = adapter()
    await a.placeOrder(order({ clientOrderId: 'c-1', type: 'LIMIT', price: dec('50000') }))
    expect((await a.cancelOrder('c-1')).status).toBe('CANCELED')
    expect((await a.cancelOrder('c-1')).status).toBe('CANCELED')
    await a.placeOrder(order({ clientOrderId: 'c-2' }))
    expect((await a.cancelOrder('c-2')).status).toBe('FILLED')
    const cancels = fake.requests.filter((r) => r.path === '/api/v3/brokerage/orders/batch_cancel').map((r) => (r.body as { order_ids: string[] }).order_ids)
    const id = (cid: string) => fake.orders.find((o) => o.client_order_id === cid)!.order_id
    expect(cancels).toEqual([[id('c-1')], [id('c-1')], [id('c-2')]])
    expect(fake.balance('USD').hold.toFixed()).toBe('0') // the canceled buy released its hold
    await expect(a.cancelOrder('never-sent', { symbol: 'BTC/USD' })).rejects.toMatchObject({ kind: 'rejected' })
  })

  test('an accepted cancel that Coinbase still shows CANCEL_QUEUED is read again until it is done', async () => {
    const a = adapter()
    await a.placeOrder(order({ clientOrderId: 'cq-1', type: 'LIMIT', price: dec('50000') }))
    fake.setCancelQueuedReads(1)
    const before = orderReads().length
    expect((await a.cancelOrder('cq-1')).status).toBe('CANCELED')
    expect(orderReads().length - before).toBe(2) // CANCEL_QUEUED (still working), then CANCELLED
    // Still queued after every re-read: reported as still working, not as canceled.
    await a.placeOrder(order({ clientOrderId: 'cq-2', type: 'LIMIT', price: dec('50000') }))
    fake.setCancelQueuedReads(100)
    expect((await a.cancelOrder('cq-2')).status).toBe('SUBMITTED')
  })

  test('Coinbase answers a reused client_order_id with the existing order: one order, one id', async () => {
    const a = adapter()
    const first = await a.placeOrder(order({ clientOrderId: 'dup-1' }))
    const second = await adapter().placeOrder(order({ clientOrderId: 'dup-1' }))
    expect(postsFor('dup-1')).toHaveLength(2)
    expect(fake.orders.filter((o) => o.client_order_id === 'dup-1')).toHaveLength(1)
    expect(second.exchangeOrderId).toBe(first.exchangeOrderId)
    expect(second.fills.map((f) => f.exchangeFillId)).toEqual(first.fills.map((f) => f.exchangeFillId))
  })

  test('fills lagging the order: reported as still working until every fill is listed, then FILLED', async () => {
    const a = adapter()
    fake.hideNewFills(true)
    const placed = await a.placeOrder(order({ clientOrderId: 'lag-1' }))
    expect(fake.orders[0]!.status).toBe('FILLED')
    expect([placed.status, placed.filledQty.toFixed(), placed.fills.length, placed.exchangeOrderId]).toEqual(['SUBMITTED', '0', 0, fake.orders[0]!.order_id])
    fake.hideNewFills(false)
    const now = await a.fetchOrder('lag-1')
    expect([now?.status, now?.filledQty.toFixed(), now?.fills.length]).toEqual(['FILLED', '0.01', 1])
  })
})

describe('lookups by client order id (Coinbase only knows its own ids)', () => {
  test('after a restart (a new adapter, no memory) an older order is found by paging the order list', async () => {
    await startFake({ maxPageSize: 2 })
    const before = adapter()
    await before.placeOrder(order({ clientOrderId: 'old-1', type: 'LIMIT', price: dec('50000') }))
    for (let i = 0; i < 4; i++) await before.placeOrder(order({ clientOrderId: `newer-${i}`, symbol: 'ETH/USD', qty: dec('0.1') }))
    const fresh = adapter()
    const found = await fresh.fetchOrder('old-1')
    expect([found?.status, found?.clientOrderId, found?.exchangeOrderId]).toEqual(['SUBMITTED', 'old-1', fake.orders[0]!.order_id])
    const lists = fake.requests.filter((r) => r.path === '/api/v3/brokerage/orders/historical/batch')
    expect(lists).toHaveLength(3) // newest first, 2 per page: old-1 is on the third page
    // With the symbol as a hint the search stays within its market.
    const hinted = await adapter().fetchOrder('newer-0', { symbol: 'ETH/USD' })
    expect(hinted?.status).toBe('FILLED')
    expect(hinted?.fills).toHaveLength(1)
    expect(fake.requests.at(-2)!.path).toBe('/api/v3/brokerage/orders/historical/batch')
    expect(fake.requests.filter((r) => r.path.endsWith('/historical/batch')).at(-1)!.query.product_ids).toEqual(['ETH-USD'])
  })

  test('an order Coinbase never received is null; a restarted adapter can still cancel by client id', async () => {
    await adapter().placeOrder(order({ clientOrderId: 'r-1', type: 'LIMIT', price: dec('50000') }))
    const fresh = adapter()
    expect(await fresh.fetchOrder('r-404')).toBeNull()
    expect(await fresh.fetchOrder('r-404', { symbol: 'BTC/USD' })).toBeNull()
    expect((await fresh.cancelOrder('r-1')).status).toBe('CANCELED')
  })
})

describe('definite refusals become REJECTED reports', () => {
  test.each([
    { label: 'insufficient funds (INSUFFICIENT_FUND)', req: { qty: dec('100') }, reason: /^InsufficientFunds: INSUFFICIENT_FUND PREVIEW_INSUFFICIENT_FUND Insufficient balance in source account$/, sent: true },
    { label: 'below the minimum size', req: { qty: dec('0.000001') }, reason: /PREVIEW_INVALID_BASE_SIZE_TOO_SMALL/, sent: true },
    { label: 'a stop that would trigger at once', req: { side: 'SELL' as const, type: 'STOP_MARKET' as const, triggerPrice: dec('61000') }, reason: /^InvalidOrder: PREVIEW_STOP_PRICE_ABOVE_LAST_TRADE_PRICE/, sent: true },
    { label: 'quantity off the step grid (not sent)', req: { qty: dec('0.000000015') }, reason: /not on the step grid 0.00000001/, sent: false },
    { label: 'price off the tick grid (not sent)', req: { type: 'LIMIT' as const, price: dec('60000.015') }, reason: /not on the tick grid 0.01/, sent: false },
    { label: 'unknown symbol (not sent)', req: { symbol: 'DOGE/USD' }, reason: /Unknown symbol DOGE\/USD/, sent: false },
  ])('$label', async ({ req, reason, sent }) => {
    const report = await adapter().placeOrder(order({ clientOrderId: 'rej-1', ...req }))
    expect(report.status).toBe('REJECTED')
    expect(report.rejectReason).toMatch(reason)
    expect(postsFor('rej-1')).toHaveLength(sent ? 1 : 0)
    expect(fake.orders).toHaveLength(0)
  })

  test('a key that does not match: 401, a clear non-retryable rejection, and nothing executes', async () => {
    const other = cdpKey()
    const report = await adapter({ secret: other.privateKey }).placeOrder(order({ clientOrderId: 'auth-1' }))
    expect(report.status).toBe('REJECTED')
    // ccxt's loadMarkets already needs the key (it reads the fee tier), so that is where it stops.
    expect(report.rejectReason).toMatch(/^load Coinbase markets: .*transaction_summary 401 Unauthorized/)
    expect(postsFor('auth-1')).toHaveLength(0)
    const err = await failure(adapter({ secret: other.privateKey }).fetchBalances())
    expect([err.kind, err.retryable]).toEqual(['rejected', false])
    expect(fake.orders).toHaveLength(0)
  })
})

describe('faults while placing: classified once, never re-sent', () => {
  test('accept-then-drop: unknown (not retryable), then fetchOrder finds it FILLED with its fills; one POST', async () => {
    const a = adapter()
    fake.injectFault({ method: 'POST', path: CREATE }, { kind: 'acceptThenDrop' })
    const err = await failure(a.placeOrder(order({ clientOrderId: 'u-1' })))
    expect([err.kind, err.retryable]).toEqual(['unknown', false])
    const found = await a.fetchOrder('u-1')
    expect([found?.status, found?.fills.length]).toEqual(['FILLED', 1])
    expect(postsFor('u-1')).toHaveLength(1)
  })

  test('accept-then-hang: the timeout is unknown, and the order is found by client id', async () => {
    const a = adapter({ timeoutMs: 500 })
    fake.injectFault({ method: 'POST', path: CREATE }, { kind: 'acceptThenHang' })
    expect((await failure(a.placeOrder(order({ clientOrderId: 'u-2' })))).kind).toBe('unknown')
    expect((await a.fetchOrder('u-2'))?.status).toBe('FILLED')
    expect(postsFor('u-2')).toHaveLength(1)
  })

  test.each([
    { label: '502 gateway page, executed', status: 502 as const, body: 'html' as const, execute: true, after: 'FILLED' },
    { label: '500 with a Coinbase JSON error, executed', status: 500 as const, body: 'json' as const, execute: true, after: 'FILLED' },
    { label: '503 with a Coinbase JSON error, not executed', status: 503 as const, body: 'json' as const, execute: false, after: null },
  ])('HTTP $label: unknown, then the lookup settles it', async ({ status, body, execute, after }) => {
    const a = adapter()
    fake.injectFault({ method: 'POST', path: CREATE }, { kind: 'http5xx', status, execute, body })
    const err = await failure(a.placeOrder(order({ clientOrderId: 'u-3' })))
    expect(err.kind).toBe('unknown')
    expect((await a.fetchOrder('u-3'))?.status ?? null).toBe(after)
    expect(postsFor('u-3')).toHaveLength(1)
  })

  test('connection dropped before Coinbase accepted: unknown, then fetchOrder says never received (null)', async () => {
    const a = adapter()
    fake.injectFault({ method: 'POST', path: CREATE }, { kind: 'dropBeforeAccept' })
    expect((await failure(a.placeOrder(order({ clientOrderId: 'u-4' })))).kind).toBe('unknown')
    expect(await a.fetchOrder('u-4')).toBeNull()
    expect(fake.orders).toHaveLength(0)
  })

  test('accepted, but reading it back fails: SUBMITTED with Coinbase’s id (not an error), and the next lookup has the fills', async () => {
    const a = adapter()
    fake.injectFault((r) => r.method === 'GET' && /\/orders\/historical\/(?!batch$|fills$)[^/]+$/.test(r.path), { kind: 'http5xx', status: 503, execute: false })
    const placed = await a.placeOrder(order({ clientOrderId: 'u-5' }))
    expect([placed.status, placed.exchangeOrderId, placed.fills.length]).toEqual(['SUBMITTED', fake.orders[0]!.order_id, 0])
    expect((await a.fetchOrder('u-5'))?.status).toBe('FILLED')
  })

  test.each([
    { label: 'with Retry-After 3 s', retryAfterSec: 3, expectMs: 3000 },
    { label: 'without Retry-After (the adapter’s default)', retryAfterSec: undefined, expectMs: 5000 },
  ])('HTTP 429 $label: retryable with retryAfterMs, not executed, and nothing more is sent meanwhile', async ({ retryAfterSec, expectMs }) => {
    const a = adapter({ defaultRetryAfterMs: 5000 })
    await a.marketRules('BTC/USD')
    fake.injectFault({ method: 'POST', path: CREATE }, { kind: 'rateLimited', retryAfterSec })
    const err = await failure(a.placeOrder(order({ clientOrderId: 'rl-1' })))
    expect([err.kind, err.retryable]).toEqual(['retryable', true])
    expect(err.retryAfterMs).toBeGreaterThan(expectMs - 1000)
    expect(err.retryAfterMs).toBeLessThanOrEqual(expectMs)
    expect(fake.orders).toHaveLength(0)
    const sent = fake.requests.length
    const again = await failure(a.fetchBalances())
    expect(again.kind).toBe('retryable')
    expect(again.retryAfterMs).toBeGreaterThan(0)
    await failure(a.fetchOrder('rl-1'))
    expect(fake.requests.length).toBe(sent) // the guard answered; Coinbase was not asked
  })

  test('a read that times out is retryable (reading again is safe)', async () => {
    const a = adapter({ timeoutMs: 500 })
    await a.marketRules('BTC/USD')
    fake.injectFault({ path: '/api/v3/brokerage/accounts' }, { kind: 'acceptThenHang' })
    expect((await failure(a.fetchBalances())).kind).toBe('retryable')
  })
})

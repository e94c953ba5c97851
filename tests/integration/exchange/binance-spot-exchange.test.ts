import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { BinanceSpotExchange, type BinanceSpotExchangeOptions } from '@/lib/exchange/ccxt/binance-spot-exchange'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import type { PlaceOrderRequest } from '@/lib/exchange/port'
import { startFakeBinanceSpot, type FakeBinanceSpot } from '@/tests/support/fake-binance-spot'

// The real ccxt `binance` class against a local server speaking Binance's signed spot REST API.

let fake: FakeBinanceSpot
const adapters: BinanceSpotExchange[] = []

function adapter(opts: Partial<BinanceSpotExchangeOptions> = {}): BinanceSpotExchange {
  const a = new BinanceSpotExchange({ accountId: 'acc-1', apiKey: fake.apiKey, secret: fake.secret, baseUrl: fake.url, timeoutMs: 1500, ...opts })
  adapters.push(a)
  return a
}

const order = (o: Partial<PlaceOrderRequest> & { clientOrderId: string }): PlaceOrderRequest => ({
  symbol: 'BTC/USDT', side: 'BUY', type: 'MARKET', qty: dec('0.01'), reduceOnly: false, ...o,
})

const postsFor = (cid: string) => fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order' && r.params.newClientOrderId === cid)

async function failure(p: Promise<unknown>): Promise<ExchangeError> {
  const e = await p.then(() => undefined, (x: unknown) => x)
  expect(e).toBeInstanceOf(ExchangeError)
  return e as ExchangeError
}

beforeEach(async () => {
  fake = await startFakeBinanceSpot()
})

/** The fake exchange started anew with these options (the one beforeEach started is closed). */
async function restartWith(opts: Parameters<typeof startFakeBinanceSpot>[0]): Promise<FakeBinanceSpot> {
  await fake.close()
  return startFakeBinanceSpot(opts)
}

afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.close()))
  await fake.close()
})

describe('markets and balances', () => {
  test('loadMarkets only calls the spot exchangeInfo (no sapi/fapi/dapi), and rules come from the filters exactly', async () => {
    const rules = await adapter().marketRules('SOL/USDT')
    expect({ tick: rules.tickSize.toFixed(), step: rules.stepSize.toFixed(), minQty: rules.minQty.toFixed(), minNotional: rules.minNotional.toFixed() })
      .toEqual({ tick: '0.01', step: '0.001', minQty: '0.001', minNotional: '5' })
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v3/exchangeInfo'])
  })

  test('balances come from /account as free + locked, signed with the key', async () => {
    const a = adapter()
    await a.placeOrder(order({ clientOrderId: 'lim-1', type: 'LIMIT', price: dec('50000'), qty: dec('0.1') }))
    const balances = await a.fetchBalances()
    expect(balances.map((b) => [b.asset, b.amount.toFixed()])).toEqual([['BTC', '1'], ['ETH', '10'], ['USDT', '100000']])
    expect(fake.balance('USDT').locked.toFixed()).toBe('5000') // the resting order holds it, the total is unchanged
    const account = fake.requests.find((r) => r.path === '/api/v3/account')!
    expect(account.apiKey).toBe(fake.apiKey)
  })

  test('checkConnection: one signed GET /account with the balances and what the key may do', async () => {
    fake.setBalance('ETH', '0')
    const check = await adapter().checkConnection()
    expect(check.balances.map((b) => [b.asset, b.amount.toFixed()])).toEqual([['BTC', '1'], ['USDT', '100000']])
    expect({ canTrade: check.canTrade, canWithdraw: check.canWithdraw }).toEqual({ canTrade: true, canWithdraw: false })
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.apiKey}`)).toEqual([`GET /api/v3/account ${fake.apiKey}`])
  })

  test.each([
    { label: 'a key that cannot trade', permissions: { canTrade: false, canWithdraw: false } },
    { label: 'a key that can withdraw', permissions: { canTrade: true, canWithdraw: true } },
  ])('checkConnection reports $label as the exchange says', async ({ permissions }) => {
    fake.setPermissions(permissions)
    const check = await adapter().checkConnection()
    expect({ canTrade: check.canTrade, canWithdraw: check.canWithdraw }).toEqual(permissions)
  })

  test('checkConnection with a wrong key or secret fails with the exchange\'s message, not retryable', async () => {
    const wrongKey = await failure(adapter({ apiKey: 'nope' }).checkConnection())
    expect(wrongKey).toMatchObject({ kind: 'rejected', retryable: false })
    expect(wrongKey.message).toMatch(/^check the connection to Binance: .*Invalid API-key, IP, or permissions for action\./)
    const wrongSecret = await failure(adapter({ secret: 'wrong' }).checkConnection())
    expect(wrongSecret.message).toMatch(/Signature for this request is not valid/)
  })

  test('checkConnection against a host that does not answer is a retryable failure', async () => {
    const url = fake.url
    await fake.close()
    const err = await failure(adapter({ baseUrl: url }).checkConnection())
    expect(err.kind).toBe('retryable')
    fake = await startFakeBinanceSpot() // afterEach closes it
  })

  test('a failed signed request is quoted without its signature (ccxt puts the signed URL in its message)', async () => {
    const a = adapter()
    await a.placeOrder(order({ clientOrderId: 'sig-1', type: 'LIMIT', price: dec('50000') }))
    fake.injectFault({ method: 'DELETE', path: '/api/v3/order' }, { kind: 'http5xx', status: 502, execute: false })
    const gateway = await failure(a.cancelOrder('sig-1'))
    expect(gateway.message).toMatch(/DELETE http:\S+\/api\/v3\/order\?\S*origClientOrderId=sig-1\S*&signature=\*\*\* 502 Bad Gateway/)
    expect(gateway.message).not.toMatch(/[0-9a-f]{64}/) // an HMAC-SHA256 in hex

    const url = fake.url
    await fake.close()
    const unreachable = await failure(adapter({ baseUrl: url }).fetchBalances())
    expect(unreachable.message).toMatch(/\/api\/v3\/account\?timestamp=\d+&recvWindow=\d+&signature=\*\*\* fetch failed/)
    expect(unreachable.message).not.toMatch(/[0-9a-f]{64}/)
    fake = await startFakeBinanceSpot() // afterEach closes it
  })
})

describe('orders that go through', () => {
  test('market entry: our client id is sent, fills and fees come back exact from the FULL reply', async () => {
    fake.setFillSplit(2)
    const report = await adapter().placeOrder(order({ clientOrderId: 'entry-1', qty: dec('0.01') }))
    const [post] = postsFor('entry-1')
    expect(post!.params).toMatchObject({ type: 'MARKET', side: 'BUY', quantity: '0.01', newOrderRespType: 'FULL', symbol: 'BTCUSDT' })
    expect(report.status).toBe('FILLED')
    expect(report.clientOrderId).toBe('entry-1')
    expect(report.filledQty.toFixed()).toBe('0.01')
    expect(report.fills.map((f) => [f.exchangeFillId, f.qty.toFixed(), f.price.toFixed(), f.fee.toFixed(), f.feeAsset, f.liquidity])).toEqual([
      [String(fake.trades[0]!.id), '0.005', '60000.01', '0.000005', 'BTC', 'TAKER'],
      [String(fake.trades[1]!.id), '0.005', '60000.02', '0.000005', 'BTC', 'TAKER'],
    ])
  })

  test('limit rests, then fills when the price crosses it; fetchOrder reports the maker fill', async () => {
    const a = adapter()
    const placed = await a.placeOrder(order({ clientOrderId: 'lim-2', type: 'LIMIT', price: dec('59000.5'), qty: dec('0.02') }))
    expect(placed.status).toBe('SUBMITTED')
    expect(postsFor('lim-2')[0]!.params).toMatchObject({ type: 'LIMIT', price: '59000.5', timeInForce: 'GTC' })
    fake.setPrice('BTC/USDT', '58999.00', '58999.01')
    const now = await a.fetchOrder('lim-2')
    expect(now?.status).toBe('FILLED')
    expect(now?.fills.map((f) => [f.qty.toFixed(), f.price.toFixed(), f.fee.toFixed(), f.feeAsset, f.liquidity])).toEqual([['0.02', '59000.5', '0.00002', 'BTC', 'MAKER']])
    expect(fake.requests.at(-2)!.params).toMatchObject({ origClientOrderId: 'lim-2', symbol: 'BTCUSDT' })
  })

  test('STOP_MARKET goes out as STOP_LOSS_LIMIT with the limit 1 % beyond, rests, triggers on touch and fills', async () => {
    const a = adapter()
    const placed = await a.placeOrder(order({ clientOrderId: 'stop-1', side: 'SELL', type: 'STOP_MARKET', triggerPrice: dec('58000.03'), qty: dec('0.5') }))
    expect(placed.status).toBe('SUBMITTED')
    // 58000.03 × 0.99 = 57420.0297, rounded down (further out) to the tick.
    expect(postsFor('stop-1')[0]!.params).toMatchObject({ type: 'STOP_LOSS_LIMIT', stopPrice: '58000.03', price: '57420.02', timeInForce: 'GTC' })
    fake.setPrice('BTC/USDT', '58500.00')
    expect((await a.fetchOrder('stop-1'))?.status).toBe('SUBMITTED')
    fake.setPrice('BTC/USDT', '58000.03') // touch
    const done = await a.fetchOrder('stop-1')
    expect(done?.status).toBe('FILLED')
    expect(done?.fills.map((f) => [f.qty.toFixed(), f.price.toFixed(), f.feeAsset])).toEqual([['0.5', '58000.03', 'USDT']])
  })

  test('partial fills: a market order beyond the book expires with what it got, a limit stays PARTIALLY_FILLED', async () => {
    const a = adapter()
    fake.setLiquidity('BTC/USDT', '0.004')
    const market = await a.placeOrder(order({ clientOrderId: 'part-1', qty: dec('0.01') }))
    expect(market.status).toBe('EXPIRED')
    expect(market.filledQty.toFixed()).toBe('0.004')
    expect(market.fills.map((f) => f.qty.toFixed())).toEqual(['0.004'])
    fake.setLiquidity('BTC/USDT', '0.003')
    const limit = await a.placeOrder(order({ clientOrderId: 'part-2', type: 'LIMIT', price: dec('60001'), qty: dec('0.01') }))
    expect(limit.status).toBe('PARTIALLY_FILLED')
    expect(limit.filledQty.toFixed()).toBe('0.003')
    const canceled = await a.cancelOrder('part-2')
    expect(canceled.status).toBe('CANCELED')
    expect(canceled.fills.map((f) => f.qty.toFixed())).toEqual(['0.003'])
  })

  test('an order filled by 2,100 trades is reported with all of them (Binance answers at most 1,000 a call)', async () => {
    fake = await restartWith({ balances: { USDT: '10000000' } })
    const a = adapter()
    fake.setFillSplit(2100)
    const placed = await a.placeOrder(order({ clientOrderId: 'many-1', qty: dec('2.1') }))
    expect([placed.status, placed.filledQty.toFixed()]).toEqual(['FILLED', '2.1'])
    const r = (await a.fetchOrder('many-1', { symbol: 'BTC/USDT' }))!
    expect(r.fills).toHaveLength(2100)
    expect(r.fills.reduce((sum, f) => sum.plus(f.qty), dec(0)).toFixed()).toBe('2.1')
    expect(new Set(r.fills.map((f) => f.exchangeFillId)).size).toBe(2100)
  })

  test('cancel by client id is idempotent: canceling a canceled or filled order reports it as it is', async () => {
    const a = adapter()
    await a.placeOrder(order({ clientOrderId: 'c-1', type: 'LIMIT', price: dec('50000') }))
    expect((await a.cancelOrder('c-1')).status).toBe('CANCELED')
    expect((await a.cancelOrder('c-1')).status).toBe('CANCELED')
    await a.placeOrder(order({ clientOrderId: 'c-2' }))
    expect((await a.cancelOrder('c-2')).status).toBe('FILLED')
    const deletes = fake.requests.filter((r) => r.method === 'DELETE').map((r) => r.params.origClientOrderId)
    expect(deletes).toEqual(['c-1', 'c-1', 'c-2'])
    await expect(a.cancelOrder('never-sent', { symbol: 'BTC/USDT' })).rejects.toMatchObject({ kind: 'rejected' })
  })
})

describe('definite rejections become REJECTED reports', () => {
  test.each([
    { label: 'insufficient balance (-2010)', req: { qty: dec('100') }, reason: /InsufficientFunds: Account has insufficient balance/ },
    { label: 'notional below minimum (-1013)', req: { qty: dec('0.00001') }, reason: /NOTIONAL/ },
    { label: 'stop that would trigger immediately', req: { side: 'SELL' as const, type: 'STOP_MARKET' as const, triggerPrice: dec('61000') }, reason: /OrderImmediatelyFillable: Stop price would trigger immediately/ },
    { label: 'quantity off the step grid (not sent)', req: { qty: dec('0.000015') }, reason: /not on the step grid 0.00001/ },
    { label: 'unknown symbol (not sent)', req: { symbol: 'DOGE/USDT' }, reason: /Unknown symbol DOGE\/USDT/ },
  ])('$label', async ({ req, reason }) => {
    const report = await adapter().placeOrder(order({ clientOrderId: 'rej-1', ...req }))
    expect(report.status).toBe('REJECTED')
    expect(report.rejectReason).toMatch(reason)
  })

  test('a wrong secret is a clear non-retryable rejection (-1022), a wrong key -2015, and nothing executes', async () => {
    const badSig = await adapter({ secret: 'wrong' }).placeOrder(order({ clientOrderId: 'auth-1' }))
    expect(badSig.status).toBe('REJECTED')
    expect(badSig.rejectReason).toMatch(/AuthenticationError: Signature for this request is not valid/)
    const err = await failure(adapter({ apiKey: 'nope' }).fetchBalances())
    expect(err.kind).toBe('rejected')
    expect(err.retryable).toBe(false)
    expect(err.message).toMatch(/-2015/)
    expect(fake.orders).toHaveLength(0)
  })
})

describe('faults while placing: classified once, never re-sent', () => {
  test('accept-then-drop: unknown (not retryable), then fetchOrder finds it FILLED; exactly one POST was made', async () => {
    const a = adapter()
    fake.injectFault({ method: 'POST', path: '/api/v3/order' }, { kind: 'acceptThenDrop' })
    const err = await failure(a.placeOrder(order({ clientOrderId: 'u-1' })))
    expect(err.kind).toBe('unknown')
    expect(err.retryable).toBe(false)
    const found = await a.fetchOrder('u-1')
    expect(found?.status).toBe('FILLED')
    expect(found?.fills).toHaveLength(1)
    expect(postsFor('u-1')).toHaveLength(1)
  })

  test('accept-then-hang: the timeout is unknown, and the order is found by client id', async () => {
    const a = adapter({ timeoutMs: 500 })
    fake.injectFault({ method: 'POST', path: '/api/v3/order' }, { kind: 'acceptThenHang' })
    const err = await failure(a.placeOrder(order({ clientOrderId: 'u-2' })))
    expect(err.kind).toBe('unknown')
    expect((await a.fetchOrder('u-2'))?.status).toBe('FILLED')
    expect(postsFor('u-2')).toHaveLength(1)
  })

  test.each([
    { label: 'executed', execute: true, after: 'FILLED' },
    { label: 'not executed', execute: false, after: null },
  ])('-1007 ($label): unknown, then the query settles it', async ({ execute, after }) => {
    const a = adapter()
    fake.injectFault({ method: 'POST', path: '/api/v3/order' }, { kind: 'status1007', execute })
    const err = await failure(a.placeOrder(order({ clientOrderId: 'u-3' })))
    expect(err.kind).toBe('unknown')
    expect(err.message).toMatch(/-1007/)
    const found = await a.fetchOrder('u-3')
    expect(found?.status ?? null).toBe(after)
    expect(postsFor('u-3')).toHaveLength(1)
  })

  test.each([502, 503] as const)('HTTP %i gateway page: unknown', async (status) => {
    const a = adapter()
    fake.injectFault({ method: 'POST', path: '/api/v3/order' }, { kind: 'http5xx', status, execute: true })
    expect((await failure(a.placeOrder(order({ clientOrderId: 'u-4' })))).kind).toBe('unknown')
    expect((await a.fetchOrder('u-4'))?.status).toBe('FILLED')
  })

  test('connection dropped before the exchange accepted: unknown, then fetchOrder says not found (null)', async () => {
    const a = adapter()
    fake.injectFault({ method: 'POST', path: '/api/v3/order' }, { kind: 'dropBeforeAccept' })
    expect((await failure(a.placeOrder(order({ clientOrderId: 'u-5' })))).kind).toBe('unknown')
    expect(await a.fetchOrder('u-5')).toBeNull()
    expect(fake.orders).toHaveLength(0)
  })

  test.each([
    { status: 429 as const, retryAfterSec: 3 },
    { status: 418 as const, retryAfterSec: 120 },
  ])('HTTP $status with Retry-After $retryAfterSec s: retryable with retryAfterMs, not executed, and nothing more is sent meanwhile', async ({ status, retryAfterSec }) => {
    const a = adapter()
    await a.marketRules('BTC/USDT')
    fake.injectFault({ method: 'POST', path: '/api/v3/order' }, { kind: 'rateLimited', status, retryAfterSec })
    const err = await failure(a.placeOrder(order({ clientOrderId: 'r-1' })))
    expect(err.kind).toBe('retryable')
    expect(err.retryable).toBe(true)
    expect(err.retryAfterMs).toBeGreaterThan(retryAfterSec * 1000 - 1000)
    expect(err.retryAfterMs).toBeLessThanOrEqual(retryAfterSec * 1000)
    expect(fake.orders).toHaveLength(0)
    const sent = fake.requests.length
    const again = await failure(a.fetchBalances())
    expect(again.kind).toBe('retryable')
    expect(again.retryAfterMs).toBeGreaterThan(0)
    expect(fake.requests.length).toBe(sent) // the guard answered; the exchange was not asked
  })

  test('the reusable-id trap: Binance would accept the same client id again after a fill; the adapter never re-sends', async () => {
    const a = adapter()
    // The fake models the trap: a closed order's id is accepted again.
    await a.placeOrder(order({ clientOrderId: 'trap-0' }))
    const twice = await a.placeOrder(order({ clientOrderId: 'trap-0' }))
    expect(twice.status).toBe('FILLED')
    expect(fake.orders.filter((o) => o.clientOrderId === 'trap-0')).toHaveLength(2)

    // Every failure mode of one placeOrder call sends exactly one POST for its id.
    const faults = [
      { kind: 'acceptThenDrop' },
      { kind: 'status1007', execute: true },
      { kind: 'http5xx', status: 500, execute: true },
      { kind: 'dropBeforeAccept' },
    ] as const
    for (const [i, fault] of faults.entries()) {
      const cid = `trap-${i + 1}`
      fake.injectFault({ method: 'POST', path: '/api/v3/order' }, fault)
      await failure(a.placeOrder(order({ clientOrderId: cid })))
      expect(postsFor(cid)).toHaveLength(1)
    }
    expect(fake.orders.filter((o) => o.clientOrderId.startsWith('trap-') && o.clientOrderId !== 'trap-0')).toHaveLength(3)
  })
})

describe('lookups', () => {
  test('without the symbol (another process placed it) a hint is required; with it the order is found', async () => {
    await adapter().placeOrder(order({ clientOrderId: 'h-1', type: 'LIMIT', price: dec('50000') }))
    const fresh = adapter()
    const err = await failure(fresh.fetchOrder('h-1'))
    expect(err.kind).toBe('rejected')
    expect(err.message).toMatch(/symbol of h-1 is needed/)
    expect((await fresh.fetchOrder('h-1', { symbol: 'BTC/USDT' }))?.status).toBe('SUBMITTED')
    expect(await fresh.fetchOrder('h-404', { symbol: 'BTC/USDT' })).toBeNull()
  })

  test('a read that times out is retryable (reading again is safe)', async () => {
    const a = adapter({ timeoutMs: 500 })
    await a.marketRules('BTC/USDT')
    fake.injectFault({ path: '/api/v3/account' }, { kind: 'acceptThenHang' })
    const err = await failure(a.fetchBalances())
    expect(err.kind).toBe('retryable')
  })
})

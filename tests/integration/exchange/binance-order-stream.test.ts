import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { BinanceSpotExchange } from '@/lib/exchange/ccxt/binance-spot-exchange'
import type { ExchangeError } from '@/lib/exchange/exchange-error'
import type { OrderReport } from '@/lib/exchange/port'
import { startFakeBinanceSpot, type FakeBinanceSpot } from '@/tests/support/fake-binance-spot'
import { startFakeBinanceWsApi, type FakeBinanceWsApi } from '@/tests/support/fake-binance-ws-api'
import { waitFor } from '@/tests/support/wait-for'

/**
 * The Binance adapter's private stream: the real ccxt pro client, unmodified, against a local
 * server speaking Binance's WebSocket API on the REST fake's port (the account's base URL).
 */
describe('BinanceSpotExchange.watchOrderReports (ccxt pro, WebSocket API user data stream)', () => {
  let fake: FakeBinanceSpot
  let ws: FakeBinanceWsApi
  let exchanges: BinanceSpotExchange[]
  let watches: AbortController[]

  beforeEach(async () => {
    fake = await startFakeBinanceSpot({ balances: { USDT: '10000', BTC: '1' } })
    ws = startFakeBinanceWsApi(fake)
    fake.setPrice('BTC/USDT', '60000.00', '60000.01')
    exchanges = []
    watches = []
  })
  afterEach(async () => {
    for (const w of watches) w.abort()
    await Promise.all(exchanges.map((e) => e.close()))
    await ws.close()
    await fake.close()
  })

  function binance(o: { secret?: string; apiKey?: string } = {}) {
    const e = new BinanceSpotExchange({ accountId: 'acc', apiKey: o.apiKey ?? fake.apiKey, secret: o.secret ?? fake.secret, sandbox: true, baseUrl: fake.url })
    exchanges.push(e)
    return e
  }

  function watch(e: BinanceSpotExchange) {
    const reports: OrderReport[] = []
    let subscribed = 0
    const abort = new AbortController()
    watches.push(abort)
    const done = e.watchOrderReports({ onSubscribed: () => subscribed++, onReport: async (r) => void reports.push(r) }, abort.signal)
    // Kept observed: a watch that fails before the test awaits it must not count as unhandled.
    done.catch(() => {})
    return { reports, subscribed: () => subscribed, abort, done }
  }

  const line = (r: OrderReport) => `${r.clientOrderId} ${r.exchangeOrderId} ${r.status} ${r.filledQty.toFixed()} [${r.fills.map((f) => `${f.exchangeFillId} ${f.qty.toFixed()}@${f.price.toFixed()} ${f.fee.toFixed()} ${f.feeAsset} ${f.liquidity}`).join(', ')}]`

  test('subscribes with a signed userDataStream.subscribe.signature on <base as ws>/ws-api/v3, then reports a stop from acceptance to its last trade, one report per trade', async () => {
    const e = binance()
    const w = watch(e)
    await waitFor(async () => w.subscribed() === 1, 'the subscription')
    expect(ws.received).toHaveLength(1)
    const sub = ws.received[0]!.message as { id: string; method: string; params: Record<string, unknown> }
    expect(sub.method).toBe('userDataStream.subscribe.signature')
    expect(Object.keys(sub.params).sort()).toEqual(['apiKey', 'recvWindow', 'signature', 'timestamp'])
    expect(ws.subscriptions()).toBe(1)

    // Two trades in one go (the stop triggers into a split fill): each reaches us on its own.
    fake.setFillSplit(2)
    const placed = await e.placeOrder({ clientOrderId: 'tl-stop-1', symbol: 'BTC/USDT', side: 'SELL', type: 'STOP_MARKET', qty: dec('0.01'), triggerPrice: dec('59000'), reduceOnly: true })
    const requestsBefore = fake.requests.length
    fake.setPrice('BTC/USDT', '58900.00', '58900.01')
    await waitFor(async () => w.reports.length === 4, 'four reports')
    const [t1, t2] = fake.trades
    expect(w.reports.map(line)).toEqual([
      `tl-stop-1 ${placed.exchangeOrderId} SUBMITTED 0 []`,
      `tl-stop-1 ${placed.exchangeOrderId} SUBMITTED 0 []`, // triggered: now working on the book
      `tl-stop-1 ${placed.exchangeOrderId} PARTIALLY_FILLED 0.005 [${t1!.id} 0.005@58900 0.2945 USDT TAKER]`,
      `tl-stop-1 ${placed.exchangeOrderId} FILLED 0.01 [${t2!.id} 0.005@58899.99 0.29449995 USDT TAKER]`,
    ])
    // Nothing was asked over REST for it.
    expect(fake.requests.slice(requestsBefore)).toEqual([])
  })

  test('a cancel is reported under our client order id (Binance puts it in C), a limit filling as maker', async () => {
    const e = binance()
    const w = watch(e)
    await waitFor(async () => w.subscribed() === 1, 'the subscription')
    await e.placeOrder({ clientOrderId: 'tl-limit-1', symbol: 'BTC/USDT', side: 'BUY', type: 'LIMIT', qty: dec('0.01'), price: dec('59000'), reduceOnly: false })
    await e.placeOrder({ clientOrderId: 'tl-limit-2', symbol: 'BTC/USDT', side: 'BUY', type: 'LIMIT', qty: dec('0.01'), price: dec('58000'), reduceOnly: false })
    await e.cancelOrder('tl-limit-2')
    fake.setPrice('BTC/USDT', '58999.00', '58999.01')
    await waitFor(async () => w.reports.some((r) => r.status === 'FILLED'), 'the fill')
    expect(w.reports.map((r) => `${r.clientOrderId} ${r.status} ${r.fills.map((f) => f.liquidity).join()}`)).toEqual([
      'tl-limit-1 SUBMITTED ',
      'tl-limit-2 SUBMITTED ',
      'tl-limit-2 CANCELED ',
      'tl-limit-1 FILLED MAKER',
    ])
  })

  test.each([
    { label: 'a wrong secret (bad signature, -1022)', opts: { secret: 'not-the-secret-0123456789' }, msg: /Signature for this request is not valid/ },
    { label: 'an unknown API key (-2015)', opts: { apiKey: 'someone-elses-key-0123456789' }, msg: /Invalid API-key/ },
  ])('$label: the watch fails for good, nothing subscribed', async ({ opts, msg }) => {
    const w = watch(binance(opts))
    const err = (await w.done.then(() => null, (x: unknown) => x)) as ExchangeError
    expect(err).toMatchObject({ name: 'ExchangeError', kind: 'rejected' })
    expect(err.message).toMatch(msg)
    expect(w.subscribed()).toBe(0)
    expect(ws.subscriptions()).toBe(0)
  })

  test('a dropped connection and a terminated subscription end the watch as retryable; abort and close end it quietly', async () => {
    const e = binance()
    let w = watch(e)
    await waitFor(async () => w.subscribed() === 1, 'the subscription')
    ws.drop()
    await expect(w.done).rejects.toMatchObject({ kind: 'retryable' })

    w = watch(e)
    await waitFor(async () => w.subscribed() === 1, 'the second subscription')
    ws.terminateSubscriptions()
    await expect(w.done).rejects.toMatchObject({ kind: 'retryable', message: /eventStreamTerminated/ })

    w = watch(e)
    await waitFor(async () => w.subscribed() === 1, 'the third subscription')
    w.abort.abort()
    await expect(w.done).resolves.toBeUndefined()

    w = watch(e)
    await waitFor(async () => w.subscribed() === 1, 'the fourth subscription')
    await e.close()
    await expect(w.done).resolves.toBeUndefined()
    expect(ws.received.filter((m) => m.message.method === 'userDataStream.subscribe.signature')).toHaveLength(4)
  })

  test('a report the caller cannot take ends the watch with the caller’s own error', async () => {
    const e = binance()
    const abort = new AbortController()
    watches.push(abort)
    let subscribed = false
    const boom = new Error('database is down')
    const done = e.watchOrderReports({ onSubscribed: () => void (subscribed = true), onReport: async () => Promise.reject(boom) }, abort.signal)
    done.catch(() => {})
    await waitFor(async () => subscribed, 'the subscription')
    await e.placeOrder({ clientOrderId: 'tl-limit-3', symbol: 'BTC/USDT', side: 'BUY', type: 'LIMIT', qty: dec('0.01'), price: dec('59000'), reduceOnly: false })
    await expect(done).rejects.toBe(boom)
  })
})

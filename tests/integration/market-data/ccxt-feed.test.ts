import ccxt from 'ccxt'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { createCcxtFeed } from '@/lib/market-data/ccxt-feed'
import { createFeed } from '@/lib/market-data/create-feed'
import { MarketDataError, type MarketDataFeed } from '@/lib/market-data/feed'
import { startFakeBinance, type FakeBinance } from '@/tests/support/fake-binance'

// Real ccxt against a local server speaking Binance spot REST v3; nothing is mocked.

let fake: FakeBinance
const feeds: MarketDataFeed[] = []

function feed(options: Parameters<typeof createCcxtFeed>[0] = {}): MarketDataFeed {
  const f = createCcxtFeed({ baseUrl: fake.url, ...options })
  feeds.push(f)
  return f
}

async function rejection(promise: Promise<unknown>): Promise<MarketDataError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(MarketDataError)
  return error as MarketDataError
}

beforeEach(async () => {
  fake = await startFakeBinance()
})

afterEach(async () => {
  await Promise.all(feeds.splice(0).map((f) => f.close()))
  await fake.close()
})

describe('market rules from exchangeInfo', () => {
  test.each([
    { label: 'BTC (NOTIONAL filter)', symbol: 'BTC/USDT', base: 'BTC', tick: '0.01', step: '0.00001', minQty: '0.00001', minNotional: '5' },
    { label: 'ETH (NOTIONAL filter)', symbol: 'ETH/USDT', base: 'ETH', tick: '0.01', step: '0.0001', minQty: '0.0001', minNotional: '5' },
    { label: 'SOL (legacy MIN_NOTIONAL filter)', symbol: 'SOL/USDT', base: 'SOL', tick: '0.01', step: '0.001', minQty: '0.001', minNotional: '5' },
  ])('$label', async ({ symbol, base, tick, step, minQty, minNotional }) => {
    const rules = await feed().marketRules(symbol)
    expect(rules.symbol).toBe(symbol)
    expect(rules.base).toBe(base)
    expect(rules.quote).toBe('USDT')
    expect(rules.tickSize.toFixed()).toBe(tick)
    expect(rules.stepSize.toFixed()).toBe(step)
    expect(rules.minQty.toFixed()).toBe(minQty)
    expect(rules.minNotional.toFixed()).toBe(minNotional)
  })

  test('a market without a notional filter has minNotional 0, and odd grids come through exactly', async () => {
    await fake.close()
    fake = await startFakeBinance({
      symbols: [{ symbol: 'XRP/USDT', tickSize: '0.0001', stepSize: '0.1', minQty: '0.1', bid: '0.5123', ask: '0.5124' }],
    })
    const rules = await feed().marketRules('XRP/USDT')
    expect(rules.tickSize.toFixed()).toBe('0.0001')
    expect(rules.stepSize.toFixed()).toBe('0.1')
    expect(rules.minNotional.toFixed()).toBe('0')
  })

  test('listSymbols lists the spot markets the exchange reports', async () => {
    expect(await feed().listSymbols()).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT'])
  })
})

describe('quotes', () => {
  test('reflect setPrice: best bid/ask, depth levels best first, last from the ticker', async () => {
    fake.setPrice('BTC/USDT', '61000.50', '61000.75', 30)
    fake.setPrice('ETH/USDT', '3100.10', '3100.20')
    const f = feed()
    const before = Date.now()
    const [btc, eth] = await f.fetchQuotes(['BTC/USDT', 'ETH/USDT'])

    expect(btc!.symbol).toBe('BTC/USDT')
    expect(btc!.bid.toFixed()).toBe('61000.5')
    expect(btc!.ask.toFixed()).toBe('61000.75')
    // The fake's last trade is at the bid, not the mid: proves `last` is the ticker's trade price.
    expect(btc!.last.toFixed()).toBe('61000.5')
    expect(btc!.bids).toHaveLength(20) // the feed's depth, although the book has 30 levels
    expect(btc!.asks).toHaveLength(20)
    expect(btc!.bids!.slice(0, 3).map(([p]) => p.toFixed())).toEqual(['61000.5', '61000.49', '61000.48'])
    expect(btc!.asks!.slice(0, 3).map(([p]) => p.toFixed())).toEqual(['61000.75', '61000.76', '61000.77'])
    expect(btc!.bids![0]![1].gt(0)).toBe(true)
    expect(btc!.exchangeTs).toBeGreaterThanOrEqual(before)
    expect(btc!.receivedAt).toBeGreaterThanOrEqual(btc!.exchangeTs)

    expect(eth!.symbol).toBe('ETH/USDT')
    expect(eth!.bid.toFixed()).toBe('3100.1')
    expect(eth!.ask.toFixed()).toBe('3100.2')

    fake.setPrice('BTC/USDT', '59999.99', '60000.01')
    const [moved] = await f.fetchQuotes(['BTC/USDT'])
    expect(moved!.bid.toFixed()).toBe('59999.99')
    expect(moved!.ask.toFixed()).toBe('60000.01')
  })

  test('one poll is one depth request per symbol plus one ticker request, with the configured depth', async () => {
    const f = feed({ depth: 5 })
    await f.listSymbols()
    fake.requests.length = 0
    const [quote] = await f.fetchQuotes(['SOL/USDT', 'BTC/USDT'])
    expect(quote!.bids).toHaveLength(5)
    expect([...fake.requests].sort()).toEqual([
      '/api/v3/depth?symbol=BTCUSDT&limit=5',
      '/api/v3/depth?symbol=SOLUSDT&limit=5',
      `/api/v3/ticker/24hr?symbols=${encodeURIComponent('["SOLUSDT","BTCUSDT"]')}`,
    ])
  })

  test('no symbols, no requests', async () => {
    expect(await feed().fetchQuotes([])).toEqual([])
    expect(fake.requests).toEqual([])
  })
})

describe('errors', () => {
  test('an unknown symbol is a non-retryable error naming it, raised before any depth request', async () => {
    const f = feed()
    const error = await rejection(f.fetchQuotes(['BTC/USDT', 'DOGE/USDT']))
    expect(error.retryable).toBe(false)
    expect(error.symbol).toBe('DOGE/USDT')
    expect(error.message).toContain('DOGE/USDT')
    expect(fake.requests.filter((r) => r.startsWith('/api/v3/depth'))).toEqual([])

    const rulesError = await rejection(f.marketRules('DOGE/USDT'))
    expect(rulesError.retryable).toBe(false)
    expect(rulesError.symbol).toBe('DOGE/USDT')
  })

  test.each([
    { label: 'crossed (best bid above best ask)', bid: '60010', ask: '60000', message: /order book for ETH\/USDT is not a market \(best bid 60010, best ask 60000\)/ },
    { label: 'without a bid (a bid of 0)', bid: '0', ask: '60000', message: /order book for ETH\/USDT is empty on one side/ },
  ])('a book that is not a market ($label) is refused as that symbol\'s own failure, never turned into a quote', async ({ bid, ask, message }) => {
    const f = feed()
    fake.setBrokenBook('ETH/USDT', bid, ask)
    const error = await rejection(f.fetchQuotes(['BTC/USDT', 'ETH/USDT']))
    expect(error.symbol).toBe('ETH/USDT')
    expect(error.symbolOnly).toBe(true)
    expect(error.message).toMatch(message)
  })

  test("a symbol the exchange rejects (-1121 Invalid symbol) is translated from ccxt's BadSymbol", async () => {
    const f = feed()
    await f.listSymbols() // markets loaded while ETH still existed
    fake.removeSymbol('ETH/USDT')
    const error = await rejection(f.fetchQuotes(['BTC/USDT', 'ETH/USDT']))
    expect(error.retryable).toBe(false)
    expect(error.symbol).toBe('ETH/USDT')
    expect(error.message).toContain('ETH/USDT')
    expect(error.cause).toBeInstanceOf(ccxt.BadSymbol)
  })

  test('HTTP 500 is retryable, and the next poll succeeds once the exchange recovers', async () => {
    const f = feed()
    await f.listSymbols()
    fake.setFailing('http500')
    const error = await rejection(f.fetchQuotes(['BTC/USDT']))
    expect(error.retryable).toBe(true)
    expect(error.symbol).toBe('BTC/USDT')

    fake.setFailing('none')
    const [quote] = await f.fetchQuotes(['BTC/USDT'])
    expect(quote!.bid.toFixed()).toBe('60000')
  })

  test('a failed market load is retryable and is retried on the next call (ccxt caches the failure)', async () => {
    fake.setFailing('http500')
    const f = feed()
    const error = await rejection(f.marketRules('BTC/USDT'))
    expect(error.retryable).toBe(true)

    fake.setFailing('none')
    const rules = await f.marketRules('BTC/USDT')
    expect(rules.tickSize.toFixed()).toBe('0.01')
  })

  test('a hanging exchange times out as a retryable error', async () => {
    const f = feed({ timeoutMs: 300 })
    await f.listSymbols()
    fake.setFailing('hang')
    const started = Date.now()
    const error = await rejection(f.fetchQuotes(['BTC/USDT']))
    expect(error.retryable).toBe(true)
    expect(error.cause).toBeInstanceOf(ccxt.RequestTimeout)
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  test('an unreachable exchange is a retryable error from an exchange feed: no fallback to simulation', async () => {
    const f = createFeed({ kind: 'exchange', marketDataUrl: fake.url })
    feeds.push(f)
    await fake.close()
    fake = await startFakeBinance() // afterEach closes this one; the feed still points at the old port
    expect(f.kind).toBe('exchange')
    const error = await rejection(f.fetchQuotes(['BTC/USDT']))
    expect(error.retryable).toBe(true)
  })
})

describe('endpoints and MARKET_DATA_URL', () => {
  test('only public spot /api/v3 endpoints are hit (no fapi, dapi, sapi, eapi)', async () => {
    const f = feed()
    await f.listSymbols()
    await f.marketRules('BTC/USDT')
    await f.fetchQuotes(['BTC/USDT', 'ETH/USDT', 'SOL/USDT'])
    expect(fake.requests.length).toBeGreaterThan(0)
    expect(fake.requests.filter((r) => !r.startsWith('/api/v3/'))).toEqual([])
    expect(fake.requests.filter((r) => r === '/api/v3/exchangeInfo')).toHaveLength(1)
  })

  test('a trailing slash on the base URL is dropped and the /api/v3 paths are kept', async () => {
    const f = feed({ baseUrl: `${fake.url}/` })
    await f.fetchQuotes(['BTC/USDT'])
    expect(fake.requests[0]).toBe('/api/v3/exchangeInfo')
    expect(fake.requests.every((r) => r.startsWith('/api/v3/'))).toBe(true)
  })

  test('a base URL with a path prefix keeps the prefix in front of /api/v3', async () => {
    const f = feed({ baseUrl: `${fake.url}/gateway/binance` })
    await rejection(f.listSymbols()) // the fake serves no prefix, so it answers 404
    expect(fake.requests[0]).toBe('/gateway/binance/api/v3/exchangeInfo')
  })

  test('the label names the host actually used', () => {
    const port = new URL(fake.url).port
    expect(feed().label).toBe(`Binance (127.0.0.1:${port})`)
    expect(createCcxtFeed({}).label).toBe('Binance (api.binance.com)')
  })
})

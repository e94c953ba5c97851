import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { createCcxtFeed } from '@/lib/market-data/ccxt-feed'
import { createFeed } from '@/lib/market-data/create-feed'
import { MarketDataError, type MarketDataFeed, type QuoteStream } from '@/lib/market-data/feed'
import type { Quote } from '@/lib/market-data/quote'
import { startFakeBinance, type FakeBinance } from '@/tests/support/fake-binance'
import { startFakeBinanceStream, type FakeBinanceStream } from '@/tests/support/fake-binance-stream'
import { waitFor } from '@/tests/support/wait-for'

// Real ccxt pro against a local server speaking Binance's public websocket stream API (and the
// REST fake for markets); nothing is mocked.

let rest: FakeBinance
let ws: FakeBinanceStream
const feeds: MarketDataFeed[] = []

function streamingFeed(): { feed: MarketDataFeed; stream: QuoteStream } {
  const feed = createCcxtFeed({ baseUrl: rest.url, wsUrl: ws.url })
  feeds.push(feed)
  if (!feed.stream) throw new Error('expected a stream')
  return { feed, stream: feed.stream }
}

interface Watching {
  quotes: Quote[]
  events: string[]
  done: Promise<unknown>
  abort(): void
}

function watch(stream: QuoteStream, symbols: string[]): Watching {
  const quotes: Quote[] = []
  const events: string[] = []
  const ac = new AbortController()
  const done = stream
    .watch(
      symbols,
      {
        onSubscribed: () => events.push('subscribed'),
        onQuote: (q) => {
          events.push(`quote ${q.symbol} ${q.bid.toFixed()}`)
          quotes.push(q)
        },
      },
      ac.signal,
    )
    .then(
      () => 'resolved',
      (e: unknown) => e,
    )
  return { quotes, events, done, abort: () => ac.abort() }
}

beforeEach(async () => {
  rest = await startFakeBinance()
  ws = await startFakeBinanceStream({ rest })
})

afterEach(async () => {
  await Promise.all(feeds.splice(0).map((f) => f.close()))
  await ws.close()
  await rest.close()
})

describe('which feeds stream', () => {
  test.each([
    { label: 'MARKET_DATA_WS_URL set: streams from it', wsUrl: 'ws://127.0.0.1:1', baseUrl: 'http://127.0.0.1:2', host: '127.0.0.1:1' },
    { label: 'both unset: the exchange\'s own websocket host', wsUrl: undefined, baseUrl: undefined, host: 'stream.binance.com:9443' },
    { label: 'only MARKET_DATA_URL set: polls only (no host the operator did not choose)', wsUrl: undefined, baseUrl: 'http://127.0.0.1:2', host: null },
    { label: 'MARKET_DATA_WS_URL=off: polls only', wsUrl: 'off', baseUrl: undefined, host: null },
  ])('$label', async ({ wsUrl, baseUrl, host }) => {
    const feed = createFeed({ kind: 'exchange', exchangeId: 'binance', marketDataUrl: baseUrl, marketDataWsUrl: wsUrl })
    feeds.push(feed)
    expect(feed.stream?.host ?? null).toBe(host)
  })

  test('a MARKET_DATA_WS_URL that is not ws(s) is refused, naming the variable', () => {
    expect(() => createCcxtFeed({ wsUrl: 'http://127.0.0.1:1' })).toThrow(MarketDataError)
    expect(() => createCcxtFeed({ wsUrl: 'http://127.0.0.1:1' })).toThrow(/MARKET_DATA_WS_URL must be ws\(s\)/)
  })
})

describe('streaming bid/ask', () => {
  test('subscribes to bookTicker for the symbols, confirms, and hands every tick on as a quote', async () => {
    const { stream } = streamingFeed()
    const w = watch(stream, ['BTC/USDT', 'ETH/USDT'])
    await waitFor(async () => w.events.includes('subscribed'), 'subscription confirmed')

    // What ccxt sent, on the path it chose.
    expect(ws.received.map((r) => [r.path, r.message])).toEqual([
      ['/ws/0', { method: 'SUBSCRIBE', params: ['btcusdt@bookTicker', 'ethusdt@bookTicker'], id: 1 }],
    ])
    expect(w.quotes).toEqual([]) // Binance reports changes only

    const before = Date.now()
    expect(ws.push('BTC/USDT', '60100.25', '60100.26')).toBe(1)
    await waitFor(async () => w.quotes.length === 1, 'first tick')
    const q = w.quotes[0]!
    expect(q.symbol).toBe('BTC/USDT')
    expect(q.bid.toFixed()).toBe('60100.25')
    expect(q.ask.toFixed()).toBe('60100.26')
    // bookTicker has no trade price: the mid stands in, as in the REST feed without a ticker.
    expect(q.last.toFixed()).toBe('60100.255')
    // One level a side, with the fake REST book's top quantities.
    const top = rest.bookTicker('BTC/USDT')
    expect(q.bids!.map(([p, s]) => [p.toFixed(), s.toFixed()])).toEqual([['60100.25', String(Number(top.bidQty))]])
    expect(q.asks!.map(([p, s]) => [p.toFixed(), s.toFixed()])).toEqual([['60100.26', String(Number(top.askQty))]])
    // Spot bookTicker carries no time: exchangeTs is the arrival.
    expect(q.receivedAt).toBeGreaterThanOrEqual(before)
    expect(q.exchangeTs).toBe(q.receivedAt)
    expect(w.events[0]).toBe('subscribed')

    w.abort()
    expect(await w.done).toBe('resolved')
    await waitFor(async () => ws.subscribers('BTC/USDT') === 0, 'connection closed after abort')
  })

  test('a burst in one socket read loses no symbol; within a symbol the ticks stay in order', async () => {
    const { stream } = streamingFeed()
    const w = watch(stream, ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'])
    await waitFor(async () => w.events.includes('subscribed'), 'subscription')
    // Sent in one synchronous run: they reach ccxt in one read and it dispatches them together.
    ws.push('BTC/USDT', '59000.00', '59000.01')
    ws.push('ETH/USDT', '2999.00', '2999.01')
    ws.push('BTC/USDT', '58000.00', '58000.01')
    ws.push('SOL/USDT', '149.00', '149.01')
    await waitFor(async () => ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'].every((s) => w.quotes.some((q) => q.symbol === s)), 'every symbol')
    await waitFor(async () => w.quotes.filter((q) => q.symbol === 'BTC/USDT').at(-1)?.bid.toFixed() === '58000', 'newest BTC tick')
    const btc = w.quotes.filter((q) => q.symbol === 'BTC/USDT').map((q) => q.bid.toFixed())
    // The intermediate tick may be merged away (ccxt dispatches a backlog at once), never reordered.
    expect(['59000,58000', '58000']).toContain(btc.join(','))
    expect(w.quotes.find((q) => q.symbol === 'ETH/USDT')!.bid.toFixed()).toBe('2999')
    expect(w.quotes.find((q) => q.symbol === 'SOL/USDT')!.bid.toFixed()).toBe('149')
    w.abort()
    await w.done
  })

  test('a dropped connection ends the watch with a retryable error saying why; a refused one too', async () => {
    const { stream } = streamingFeed()
    const w = watch(stream, ['BTC/USDT'])
    await waitFor(async () => w.events.includes('subscribed'), 'subscription')
    ws.drop()
    const dropped = await w.done
    expect(dropped).toBeInstanceOf(MarketDataError)
    expect((dropped as MarketDataError).retryable).toBe(true)
    expect((dropped as MarketDataError).message).toMatch(/connection closed by remote server, closing code 1006/)

    ws.refuse(true)
    const again = watch(stream, ['BTC/USDT'])
    const refused = await again.done
    expect(refused).toBeInstanceOf(MarketDataError)
    expect((refused as MarketDataError).retryable).toBe(true)
    expect((refused as MarketDataError).message).toMatch(/503/)
    expect(again.events).toEqual([])
    expect(ws.connectionAttempts.at(-1)).toMatchObject({ path: '/ws/0', refused: true })

    // The same stream object subscribes again once the server takes connections.
    ws.refuse(false)
    const third = watch(stream, ['BTC/USDT'])
    await waitFor(async () => third.events.includes('subscribed'), 'resubscribed')
    ws.push('BTC/USDT', '60001.00', '60001.01')
    await waitFor(async () => third.quotes.length === 1, 'tick after reconnecting')
    third.abort()
    await third.done
  })

  test('after a reconnect, the last ticks of the earlier connection are not handed on again as fresh quotes', async () => {
    const { stream } = streamingFeed()
    const first = watch(stream, ['BTC/USDT', 'ETH/USDT'])
    await waitFor(async () => first.events.includes('subscribed'), 'subscription')
    ws.push('ETH/USDT', '3000.00', '3000.01')
    await waitFor(async () => first.quotes.length === 1, 'ETH tick')
    ws.drop()
    await first.done

    // Hours later for all the new connection knows: ETH has moved, and only BTC ticks.
    const second = watch(stream, ['BTC/USDT', 'ETH/USDT'])
    await waitFor(async () => second.events.includes('subscribed'), 'resubscribed')
    ws.push('BTC/USDT', '60001.00', '60001.01')
    await waitFor(async () => second.quotes.length >= 1, 'BTC tick')
    await new Promise((r) => setTimeout(r, 100))
    expect(second.events).toEqual(['subscribed', 'quote BTC/USDT 60001'])
    ws.push('ETH/USDT', '2900.00', '2900.01')
    await waitFor(async () => second.quotes.length === 2, 'a new ETH tick')
    expect(second.events.at(-1)).toBe('quote ETH/USDT 2900')
    second.abort()
    await second.done
  })

  test('closing the feed ends a running watch', async () => {
    const { feed, stream } = streamingFeed()
    const w = watch(stream, ['BTC/USDT'])
    await waitFor(async () => w.events.includes('subscribed'), 'subscription')
    await feed.close()
    feeds.splice(feeds.indexOf(feed), 1)
    expect(await w.done).toBe('resolved')
  })
})

import ccxt, { type Exchange, type Ticker } from 'ccxt'
import { dec } from '@/lib/domain/decimal'
import { MarketDataError, type QuoteStream, type QuoteStreamHandlers } from '@/lib/market-data/feed'
import type { Quote } from '@/lib/market-data/quote'

/**
 * The methods tried, best first. Both resolve with `{ [symbol]: Ticker }` and keep the newest
 * ticker per symbol in a cache (`bidsasks` / `tickers`).
 *
 * watchBidsAsks comes first because it is the least traffic that still carries bid and ask as
 * they change. On Binance it is `<symbol>@bookTicker`: one ~120-byte message per change of the
 * best bid or ask (price or quantity), nothing else, no snapshot to fetch and no local book to
 * keep. The alternatives, read in ccxt 4.5.84 pro/binance.js:
 * - watchTickers defaults to `<symbol>@miniTicker`, which has no bid/ask at all; with
 *   `name: 'ticker'` it is the ~400-byte 24 h statistics message, sent once a second: a stop
 *   would still wait up to a second, as with polling.
 * - watchOrderBook is `<symbol>@depth@100ms` diffs plus a REST snapshot of 1,000 levels (weight
 *   50) per symbol at every (re)subscription, and a local book kept in step: the most traffic, for
 *   depth this worker only needs at the top.
 * watchTickers stays as the fallback for exchanges without watchBidsAsks; its ticks are used only
 * when they carry a bid and an ask.
 */
const WATCH_METHODS = ['watchBidsAsks', 'watchTickers'] as const
type WatchMethod = (typeof WATCH_METHODS)[number]

// Binance accepts up to 1,024 streams per connection; ccxt opens one connection per distinct
// symbol list. Lists longer than this are split over several connections.
const SYMBOLS_PER_CONNECTION = 200
// ccxt pings every keepAlive ms and fails the connection after two unanswered pings, so a silently
// dead connection is noticed within 20-30 s (ccxt's Binance default, 180 s, would take minutes).
const KEEPALIVE_MS = 10_000

type ProExchange = Exchange & {
  bidsasks?: Record<string, Ticker>
  tickers?: Record<string, Ticker>
  handleSubscriptionStatus?: (client: unknown, message: unknown) => unknown
  onConnected: (client: unknown, message?: unknown) => void
  loadHttpProxyAgent(): Promise<unknown>
} & Record<WatchMethod, (symbols: string[]) => Promise<Record<string, Ticker>>>

type ExchangeConstructor = new (config: Record<string, unknown>) => Exchange

export interface CcxtQuoteStreamOptions {
  exchangeId: string
  /** ccxt options of the REST instance (spot only), so both agree on markets. */
  options: Record<string, unknown>
  /** Replaces the websocket host(s), keeping paths (MARKET_DATA_WS_URL), normalised. */
  wsBase?: string
  /** Replaces the REST host(s) too, so nothing this instance might send leaves for another host. */
  restBase?: string
  /** The REST instance whose loaded markets the stream shares (no second exchangeInfo download). */
  rest: Exchange
  ensureMarkets(): Promise<void>
}

/**
 * A quote stream over ccxt pro, or undefined when ccxt has no websocket class for the exchange or
 * the class can watch neither bids/asks nor tickers (`exchange.has[...]`).
 */
export function createCcxtQuoteStream(o: CcxtQuoteStreamOptions): QuoteStream | undefined {
  const ProClass = (ccxt.pro as unknown as Record<string, ExchangeConstructor | undefined>)[o.exchangeId]
  if (typeof ProClass !== 'function') return undefined
  const pro = new ProClass({
    enableRateLimit: true,
    // Reconnecting is the caller's decision (it polls meanwhile and backs off itself): base 0
    // turns off ccxt's own dial backoff, which would otherwise add up to a minute on top.
    options: { ...o.options, ws: { backoff: { base: 0 } } },
    streaming: { keepAlive: KEEPALIVE_MS },
  }) as ProExchange
  const method = WATCH_METHODS.find((m) => pro.has[m] === true)
  if (!method) return undefined
  if (o.restBase !== undefined) pro.urls['api'] = rewriteHosts(pro.urls['api'], /^https?:\/\/[^/]+/, o.restBase)
  if (o.wsBase !== undefined) pro.urls['api'] = rewriteHosts(pro.urls['api'], /^wss?:\/\/[^/]+/, o.wsBase)
  const host = wsHost(pro.urls['api'])

  // The subscription is confirmed by the exchange's answer to SUBSCRIBE (Binance:
  // `{"result":null,"id":1}`, handled by handleSubscriptionStatus); exchanges without that hook
  // count the connection opening instead. A tick proves it as well.
  let onAck: (() => void) | null = null
  if (typeof pro.handleSubscriptionStatus === 'function') {
    const original = pro.handleSubscriptionStatus
    pro.handleSubscriptionStatus = function (this: ProExchange, client, message) {
      const result = original.call(this, client, message)
      onAck?.()
      return result
    }
  } else {
    pro.onConnected = () => onAck?.()
  }

  let marketsFrom: unknown = null
  let agentLoaded = false
  const ready = async () => {
    await o.ensureMarkets()
    if (marketsFrom !== o.rest.markets) {
      // ccxt's typings declare the currencies parameter as undefined; the code takes the dictionary.
      pro.setMarkets(o.rest.markets, o.rest.currencies as never)
      marketsFrom = o.rest.markets
    }
    // ccxt refuses plain ws:// URLs until its http agent is loaded (a local server, a gateway).
    if (!agentLoaded && o.wsBase?.startsWith('ws://')) {
      await pro.loadHttpProxyAgent()
      agentLoaded = true
    }
  }

  return {
    host,
    async watch(symbols: string[], handlers: QuoteStreamHandlers, signal: AbortSignal): Promise<void> {
      if (signal.aborted || symbols.length === 0) return
      await ready()
      const chunks: string[][] = []
      for (let i = 0; i < symbols.length; i += SYMBOLS_PER_CONNECTION) chunks.push(symbols.slice(i, i + SYMBOLS_PER_CONNECTION))

      let acks = 0
      let subscribed = false
      const subscribe = () => {
        if (subscribed || signal.aborted) return
        subscribed = true
        handlers.onSubscribed()
      }
      onAck = () => {
        acks += 1
        if (acks >= chunks.length) subscribe()
      }
      const onAbort = () => void pro.close()
      signal.addEventListener('abort', onAbort, { once: true })

      // What was last handed on per symbol: the cache holds the same object until a newer tick.
      // It outlives connections: what it holds when a watch starts came before (an earlier
      // connection's last ticks, maybe hours old) and is never handed on as a fresh quote.
      const cache = () => (method === 'watchBidsAsks' ? pro.bidsasks : pro.tickers) ?? {}
      const emitted = new Map<string, Ticker>(Object.entries(cache()))
      const pump = async (chunk: string[]) => {
        while (!signal.aborted) {
          const got = await pro[method](chunk)
          const receivedAt = Date.now()
          subscribe()
          // A burst arriving in one socket read is dispatched before this code runs again: only
          // the first tick resolves the call, the others land in the cache only (ccxt's "merged
          // state"). Taking the cache too loses no symbol; within one symbol the newest wins.
          const ticks = Object.values(got)
          const c = cache()
          for (const s of chunk) {
            const t = c[s]
            if (t && !ticks.includes(t)) ticks.push(t)
          }
          for (const t of ticks) {
            const symbol = t.symbol
            if (symbol === undefined || !chunk.includes(symbol) || emitted.get(symbol) === t) continue
            emitted.set(symbol, t)
            const q = quoteFromTicker(t, receivedAt)
            if (q) handlers.onQuote(q)
          }
        }
      }

      try {
        await Promise.all(chunks.map(pump))
      } catch (e) {
        if (signal.aborted || e instanceof ccxt.ExchangeClosedByUser) return
        const message = e instanceof Error ? e.message : String(e)
        const permanent = e instanceof ccxt.BadSymbol || e instanceof ccxt.BadRequest || e instanceof ccxt.NotSupported || e instanceof ccxt.AuthenticationError
        throw new MarketDataError(message, !permanent, undefined, { cause: e })
      } finally {
        onAck = null
        signal.removeEventListener('abort', onAbort)
        // Ends the other connections of a multi-connection watch, so the next watch starts clean.
        await pro.close()
      }
    },
    async close() {
      await pro.close()
    },
  }
}

/**
 * A streamed tick as a quote. A bookTicker carries the best level of each side with its quantity
 * and no trade price, so `last` is the mid (the REST feed's rule when it has no trade price) and
 * the book is that one level. Spot bookTicker has no timestamp either: exchangeTs is the arrival.
 */
export function quoteFromTicker(t: Ticker, receivedAt: number): Quote | null {
  const { symbol, bid, ask } = t
  if (symbol === undefined || bid === undefined || bid === null || ask === undefined || ask === null || !(bid > 0) || !(ask >= bid)) return null
  const b = dec(bid)
  const a = dec(ask)
  const level = (price: typeof b, qty: number | undefined | null): [typeof b, typeof b][] | undefined =>
    qty === undefined || qty === null ? undefined : [[price, dec(qty)]]
  return {
    symbol,
    bid: b,
    ask: a,
    last: t.last !== undefined && t.last !== null ? dec(t.last) : b.plus(a).div(2),
    bids: level(b, t.bidVolume),
    asks: level(a, t.askVolume),
    exchangeTs: t.timestamp ?? receivedAt,
    receivedAt,
  }
}

function rewriteHosts<T>(api: T, host: RegExp, base: string): T {
  if (typeof api === 'string') return api.replace(host, base) as T
  if (api && typeof api === 'object') return Object.fromEntries(Object.entries(api).map(([k, v]) => [k, rewriteHosts(v, host, base)])) as T
  return api
}

function wsHost(api: unknown): string {
  const ws = (api as Record<string, unknown> | undefined)?.['ws']
  const first = typeof ws === 'string' ? ws : typeof ws === 'object' && ws ? (ws as Record<string, unknown>)['spot'] ?? Object.values(ws)[0] : undefined
  if (typeof first !== 'string') return 'unknown host'
  try {
    return new URL(first).host
  } catch {
    return first
  }
}

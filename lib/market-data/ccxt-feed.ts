import ccxt, { type Exchange, type MarketInterface, type OrderBook, type Ticker } from 'ccxt'
import { dec, type Decimal } from '@/lib/domain/decimal'
import type { MarketRules } from '@/lib/domain/market/precision'
import { volumeTickers } from '@/lib/exchange/ccxt/volume-tickers'
import { createCcxtQuoteStream } from '@/lib/market-data/ccxt-quote-stream'
import { MarketDataError, type MarketDataFeed } from '@/lib/market-data/feed'
import type { Quote } from '@/lib/market-data/quote'

export interface CcxtFeedOptions {
  exchangeId?: string
  /** Replaces the exchange's REST host(s), keeping the paths (MARKET_DATA_URL). */
  baseUrl?: string
  /**
   * Streaming (MARKET_DATA_WS_URL): a ws(s) URL replaces the exchange's websocket host(s), keeping
   * the paths; 'off' never streams; unset streams from the exchange's own websocket host, except
   * when `baseUrl` is set: then nothing may leave for a host the operator did not choose, and the
   * feed only polls.
   */
  wsUrl?: string
  /** Order-book levels per side kept in each quote. */
  depth?: number
  timeoutMs?: number
}

/**
 * ccxt options that keep loadMarkets on public spot endpoints (read in ccxt 4.5.84 binance.js):
 * - `fetchMarkets.types` defaults to ['spot', 'linear', 'inverse'], i.e. also GET
 *   fapi.binance.com/fapi/v1/exchangeInfo and dapi.binance.com/dapi/v1/exchangeInfo.
 * - `fetchMargins: true` (default) adds sapi margin/allPairs + margin/isolated/allPairs, and
 *   `fetchCurrencies: true` adds sapi capital/config/getall; both only when keys are set, which
 *   they never are here, but turning them off removes the dependency on that detail.
 * - `defaultType: 'spot'` makes symbol-less calls (fetchTickers) choose /api/v3.
 */
const SPOT_ONLY_OPTIONS: Record<string, Record<string, unknown>> = {
  binance: { defaultType: 'spot', fetchMarkets: { types: ['spot'] }, fetchMargins: false, fetchCurrencies: false },
}

type ExchangeConstructor = new (config: Record<string, unknown>) => Exchange

/**
 * A live feed over ccxt's public REST API (no keys, spot only). Each poll makes, concurrently,
 * one fetchOrderBook per symbol and one fetchTickers for all of them. The ticker call costs a
 * single request (Binance weight 2 for up to 20 symbols, against 5 per depth call) and supplies
 * what the spot book lacks: the last trade price (the mid is not a trade) and a source timestamp
 * (spot /api/v3/depth has only lastUpdateId, so ccxt's book timestamp is undefined).
 */
export function createCcxtFeed(options: CcxtFeedOptions = {}): MarketDataFeed {
  const { exchangeId = 'binance', baseUrl, wsUrl, depth = 20, timeoutMs = 5000 } = options
  if (!Number.isInteger(depth) || depth < 1) throw new MarketDataError(`depth must be a positive integer, got ${depth}`, false)
  const ExchangeClass = (ccxt as unknown as Record<string, ExchangeConstructor | undefined>)[exchangeId]
  if (!ccxt.exchanges.includes(exchangeId) || typeof ExchangeClass !== 'function') {
    throw new MarketDataError(`Unknown exchange "${exchangeId}": not a ccxt exchange id`, false)
  }
  const exchangeOptions = SPOT_ONLY_OPTIONS[exchangeId] ?? { defaultType: 'spot' }
  const exchange = new ExchangeClass({
    timeout: timeoutMs,
    enableRateLimit: true,
    options: exchangeOptions,
  })
  const restBase = baseUrl !== undefined ? normaliseBaseUrl(baseUrl) : undefined
  if (restBase !== undefined) exchange.urls['api'] = rewriteHosts(exchange.urls['api'], restBase)
  const streaming = wsUrl === 'off' ? false : wsUrl !== undefined || restBase === undefined
  const wsBase = wsUrl !== undefined && wsUrl !== 'off' ? normaliseWsUrl(wsUrl) : undefined
  const label = `${exchange.name} (${apiHost(exchange.urls['api'])})`

  // ccxt caches a failed loadMarkets promise and hands it back on every later call (loadMarkets
  // only retries with reload=true), so after a failure the next attempt must force a reload.
  let marketsFailed = false
  let closed = false

  const ensureMarkets = async (): Promise<void> => {
    if (closed) throw new MarketDataError(`${label}: feed is closed`, false)
    try {
      await exchange.loadMarkets(marketsFailed)
      marketsFailed = false
    } catch (e) {
      marketsFailed = true
      throw translateError(e, label)
    }
  }

  const spotMarket = (symbol: string): MarketInterface => {
    const market = exchange.markets?.[symbol]
    if (!market || market.spot !== true) {
      throw new MarketDataError(`Unknown symbol ${symbol}: ${label} has no spot market by that name`, false, symbol)
    }
    return market
  }

  const stream = streaming
    ? createCcxtQuoteStream({ exchangeId, options: exchangeOptions, wsBase, restBase, rest: exchange, ensureMarkets: () => ensureMarkets() })
    : undefined

  return {
    kind: 'exchange',
    label,
    stream,
    async marketRules(symbol) {
      await ensureMarkets()
      return rulesFromMarket(spotMarket(symbol), exchange.precisionMode, label)
    },
    async listSymbols() {
      await ensureMarkets()
      return Object.values(exchange.markets ?? {})
        .filter((m) => m.spot === true && m.active !== false)
        .map((m) => m.symbol)
        .sort()
    },
    async fetchDailyVolumes() {
      await ensureMarkets()
      try {
        // No symbols: every spot ticker in one call (Binance GET /api/v3/ticker/24hr, weight 80).
        return volumeTickers(exchange, await exchange.fetchTickers())
      } catch (e) {
        throw translateError(e, label)
      }
    },
    async fetchQuotes(symbols) {
      if (symbols.length === 0) return []
      await ensureMarkets()
      symbols.forEach(spotMarket) // unknown symbols fail here, naming the symbol, before any request
      const books = symbols.map((symbol) => exchange.fetchOrderBook(symbol, depth))
      const tickers = exchange.fetchTickers(symbols)
      const [bookResults, [tickerResult]] = await Promise.all([Promise.allSettled(books), Promise.allSettled([tickers])])
      // A quote is complete when both of its sources have answered.
      const receivedAt = Date.now()
      // A failed book names its symbol, so report it in preference to the shared ticker call.
      bookResults.forEach((r, i) => {
        if (r.status === 'rejected') throw translateError(r.reason, label, symbols[i])
      })
      if (tickerResult.status === 'rejected') {
        throw translateError(tickerResult.reason, label, symbols.length === 1 ? symbols[0] : undefined)
      }
      return symbols.map((symbol, i) => {
        const book = (bookResults[i] as PromiseFulfilledResult<OrderBook>).value
        return toQuote(symbol, book, tickerResult.value[symbol], depth, receivedAt, label)
      })
    },
    async fetchCandles(symbol, timeframe, limit) {
      await ensureMarkets()
      spotMarket(symbol)
      try {
        const rows = await exchange.fetchOHLCV(symbol, timeframe, undefined, limit)
        return rows.map(([t, o, h, l, c, v]) => ({
          openTime: Number(t),
          open: dec(String(o)),
          high: dec(String(h)),
          low: dec(String(l)),
          close: dec(String(c)),
          volume: dec(String(v ?? 0)),
        }))
      } catch (e) {
        throw translateError(e, label, symbol)
      }
    },
    async close() {
      closed = true
      await stream?.close()
      await exchange.close()
    },
  }
}

function toQuote(symbol: string, book: OrderBook, ticker: Ticker | undefined, depth: number, receivedAt: number, label: string): Quote {
  const bids = levels(book.bids, depth)
  const asks = levels(book.asks, depth)
  const bestBid = bids[0]
  const bestAsk = asks[0]
  if (!bestBid || !bestAsk) {
    throw new MarketDataError(`${label}: order book for ${symbol} is empty on one side`, true, symbol, { symbolOnly: true })
  }
  const [bid] = bestBid
  const [ask] = bestAsk
  // Not a price to act on (a stop fires on a bid of 0; a crossed book fires targets on both sides).
  if (!bid.gt(0) || ask.lt(bid)) {
    throw new MarketDataError(`${label}: order book for ${symbol} is not a market (best bid ${bid.toFixed()}, best ask ${ask.toFixed()})`, true, symbol, { symbolOnly: true })
  }
  // Without a trade price the mid stands in for `last`; Binance's 24h ticker always has one.
  const last = ticker?.last !== undefined && ticker.last !== null ? dec(ticker.last) : bid.plus(ask).div(2)
  return {
    symbol,
    bid,
    ask,
    last,
    bids,
    asks,
    exchangeTs: book.timestamp ?? ticker?.timestamp ?? receivedAt,
    receivedAt,
  }
}

/**
 * ccxt hands prices over as JS numbers. They are read back through their shortest decimal form
 * (what `dec(number)` does), which reproduces the exchange's string exactly for up to 15
 * significant digits — every realistic price and quantity on Binance's 8-decimal grid.
 */
function levels(side: OrderBook['bids'], depth: number): [Decimal, Decimal][] {
  return side.slice(0, depth).flatMap(([price, qty]) => (price === undefined || qty === undefined ? [] : [[dec(price), dec(qty)] as [Decimal, Decimal]]))
}

function rulesFromMarket(market: MarketInterface, precisionMode: number | undefined, label: string): MarketRules {
  // Binance is TICK_SIZE mode (binance.js: `'precisionMode': TICK_SIZE`): precision.price is the
  // tick itself (0.01), not a count of decimals. DECIMAL_PLACES exchanges give 2 for the same tick.
  const increment = (value: number | undefined, what: string): Decimal => {
    if (value === undefined || value === null) {
      throw new MarketDataError(`${label}: market ${market.symbol} has no ${what}`, false, market.symbol)
    }
    if (precisionMode === ccxt.TICK_SIZE) return dec(value)
    if (precisionMode === ccxt.DECIMAL_PLACES) return dec(10).pow(-value)
    throw new MarketDataError(`${label}: precision mode ${precisionMode} is not supported (${market.symbol})`, false, market.symbol)
  }
  const stepSize = increment(market.precision.amount, 'amount precision (step size)')
  const minQty = market.limits.amount?.min
  const minNotional = market.limits.cost?.min
  return {
    symbol: market.symbol,
    base: market.base,
    quote: market.quote,
    tickSize: increment(market.precision.price, 'price precision (tick size)'),
    stepSize,
    // No stated minimum quantity: one step is still the smallest order the grid allows.
    minQty: minQty !== undefined && minQty !== null ? dec(minQty) : stepSize,
    minNotional: minNotional !== undefined && minNotional !== null ? dec(minNotional) : dec(0),
  }
}

/**
 * The one place ccxt errors become domain errors. OperationFailed covers NetworkError
 * (RequestTimeout, ExchangeNotAvailable — which ccxt raises for HTTP 5xx —, RateLimitExceeded,
 * DDoSProtection) and BadResponse: transient, worth a retry with backoff. Everything else
 * (BadSymbol, BadRequest, other ExchangeErrors) will fail the same way again.
 */
function translateError(error: unknown, label: string, symbol?: string): MarketDataError {
  if (error instanceof MarketDataError) return error
  const message = error instanceof Error ? error.message : String(error)
  const about = symbol ? ` (${symbol})` : ''
  if (error instanceof ccxt.BadSymbol) {
    const what = symbol ? `Unknown symbol ${symbol}` : 'Unknown symbol'
    return new MarketDataError(`${what} on ${label}: ${message}`, false, symbol, { cause: error })
  }
  if (error instanceof ccxt.RequestTimeout) {
    return new MarketDataError(`${label}: request timed out${about}: ${message}`, true, symbol, { cause: error })
  }
  if (error instanceof ccxt.OperationFailed) {
    return new MarketDataError(`${label}: temporarily unavailable${about}: ${message}`, true, symbol, { cause: error })
  }
  return new MarketDataError(`${label}: request rejected${about}: ${message}`, false, symbol, { cause: error })
}

function normaliseWsUrl(raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new MarketDataError(`MARKET_DATA_WS_URL is not a URL: "${raw}"`, false)
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new MarketDataError(`MARKET_DATA_WS_URL must be ws(s), got "${raw}"`, false)
  if (url.search || url.hash) throw new MarketDataError(`MARKET_DATA_WS_URL must not carry a query or fragment: "${raw}"`, false)
  return url.toString().replace(/\/+$/, '')
}

function normaliseBaseUrl(raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new MarketDataError(`MARKET_DATA_URL is not a URL: "${raw}"`, false)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MarketDataError(`MARKET_DATA_URL must be http(s), got "${raw}"`, false)
  }
  if (url.search || url.hash) throw new MarketDataError(`MARKET_DATA_URL must not carry a query or fragment: "${raw}"`, false)
  return url.toString().replace(/\/+$/, '')
}

/**
 * Points every REST base URL at `base`, keeping its path: https://api.binance.com/api/v3 becomes
 * `${base}/api/v3`. All entries are rewritten (sapi, fapi, ... too), not just the spot ones, so
 * that nothing this feed sends can leave for a host the operator did not choose.
 */
function rewriteHosts<T>(api: T, base: string): T {
  if (typeof api === 'string') return api.replace(/^https?:\/\/[^/]+/, base) as T
  if (api && typeof api === 'object') {
    return Object.fromEntries(Object.entries(api).map(([k, v]) => [k, rewriteHosts(v, base)])) as T
  }
  return api
}

function apiHost(api: unknown): string {
  const urls: string[] = []
  const collect = (v: unknown) => {
    if (typeof v === 'string') urls.push(v)
    else if (v && typeof v === 'object') Object.values(v).forEach(collect)
  }
  // The spot entry first: that is the host this feed actually talks to.
  collect((api as Record<string, unknown> | undefined)?.['public'])
  collect(api)
  const first = urls[0]
  if (!first) return 'unknown host'
  try {
    return new URL(first).host
  } catch {
    return first
  }
}

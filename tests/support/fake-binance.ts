import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Decimal, dec } from '@/lib/domain/decimal'

/**
 * A local HTTP server that speaks enough of Binance's spot REST v3 for the real ccxt client:
 * exchangeInfo, depth, the three tickers, klines, time and ping, with Binance's JSON shapes
 * (numbers as strings with 8 decimals) and Binance's `{code,msg}` error bodies.
 * Tests drive it through the returned handle; another process can drive it through
 * `POST /__control/price` and `POST /__control/failing` (see fake-binance-cli.ts).
 */

export type FailingMode = 'none' | 'http500' | 'hang'

export interface FakeSymbolSpec {
  /** Unified form, e.g. 'BTC/USDT'. */
  symbol: string
  tickSize: string
  stepSize: string
  minQty?: string
  /** Omitted: no notional filter at all (ccxt then reports no cost limit). */
  minNotional?: string
  /** Binance moved symbols from MIN_NOTIONAL to NOTIONAL in 2023; both still appear. */
  notionalFilter?: 'NOTIONAL' | 'MIN_NOTIONAL'
  bid: string
  ask: string
  /** The 24 h ticker's quoteVolume; omitted, one derived from the step and the last price. */
  quoteVolume?: string
}

export interface FakeBinance {
  url: string
  /** `depth` = levels generated per side (default 100, Binance's default `limit`). */
  setPrice(symbol: string, bid: string, ask: string, depth?: number): void
  /** A book that is not a market (a bid of 0, or crossed), as a broken gateway might serve; setPrice refuses those. */
  setBrokenBook(symbol: string, bid: string, ask: string): void
  setFailing(mode: FailingMode): void
  /** The 24 h quote volume the tickers report for the symbol (and its base volume, at the last price). */
  setQuoteVolume(symbol: string, quoteVolume: string): void
  /** Delists a symbol: it disappears from exchangeInfo and every endpoint answers -1121 for it. */
  removeSymbol(symbol: string): void
  /** Binance's bookTicker for the symbol as it stands (what a websocket `<symbol>@bookTicker` carries). */
  bookTicker(symbol: string): FakeBookTicker
  /** Path and query of every protocol request received, in order (control requests excluded). */
  requests: string[]
  close(): Promise<void>
}

export interface FakeBookTicker {
  /** Binance id, e.g. 'BTCUSDT'. */
  symbol: string
  bidPrice: string
  bidQty: string
  askPrice: string
  askQty: string
  /** The book's update id (Binance's `u` / `lastUpdateId`). */
  updateId: number
}

export const DEFAULT_FAKE_SYMBOLS: FakeSymbolSpec[] = [
  { symbol: 'BTC/USDT', tickSize: '0.01', stepSize: '0.00001', minQty: '0.00001', minNotional: '5', notionalFilter: 'NOTIONAL', bid: '60000.00', ask: '60000.01' },
  { symbol: 'ETH/USDT', tickSize: '0.01', stepSize: '0.0001', minQty: '0.0001', minNotional: '5', notionalFilter: 'NOTIONAL', bid: '3000.00', ask: '3000.01' },
  { symbol: 'SOL/USDT', tickSize: '0.01', stepSize: '0.001', minQty: '0.001', minNotional: '5', notionalFilter: 'MIN_NOTIONAL', bid: '150.00', ask: '150.01' },
]

interface SymbolState {
  spec: FakeSymbolSpec
  id: string
  base: string
  quote: string
  tick: Decimal
  step: Decimal
  bid: Decimal
  ask: Decimal
  last: Decimal
  open24h: Decimal
  quoteVolume: Decimal | null
  levels: number
  updateId: number
}

class HttpError extends Error {
  constructor(
    public status: number,
    public code: number,
    msg: string,
  ) {
    super(msg)
  }
}

const invalidSymbol = () => new HttpError(400, -1121, 'Invalid symbol.')
const mandatory = (name: string) =>
  new HttpError(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`)

const fmt = (d: Decimal) => d.toFixed(8)

const INTERVAL_MS: Record<string, number> = {
  '1s': 1_000, '1m': 60_000, '3m': 180_000, '5m': 300_000, '15m': 900_000, '30m': 1_800_000,
  '1h': 3_600_000, '2h': 7_200_000, '4h': 14_400_000, '6h': 21_600_000, '8h': 28_800_000,
  '12h': 43_200_000, '1d': 86_400_000, '3d': 259_200_000, '1w': 604_800_000,
  '1M': 2_592_000_000, // 30 days; real Binance uses calendar months, good enough for a fake
}

export async function startFakeBinance(opts: { port?: number; symbols?: FakeSymbolSpec[] } = {}): Promise<FakeBinance> {
  const { port = 0, symbols = DEFAULT_FAKE_SYMBOLS } = opts
  const byId = new Map<string, SymbolState>()
  for (const spec of symbols) {
    const [base, quote] = spec.symbol.split('/')
    if (!base || !quote) throw new Error(`fake-binance: symbol must look like BASE/QUOTE, got ${spec.symbol}`)
    const bid = dec(spec.bid)
    byId.set(base + quote, {
      spec, id: base + quote, base, quote, tick: dec(spec.tickSize), step: dec(spec.stepSize),
      bid, ask: dec(spec.ask), last: bid, open24h: bid,
      quoteVolume: spec.quoteVolume === undefined ? null : dec(spec.quoteVolume), levels: 100, updateId: 1,
    })
  }
  let failing: FailingMode = 'none'
  const requests: string[] = []

  const stateFor = (symbol: string): SymbolState => {
    const s = byId.get(symbol.replace('/', '').toUpperCase())
    if (!s) throw new Error(`fake-binance: unknown symbol ${symbol}`)
    return s
  }

  function setBrokenBook(symbol: string, bid: string, ask: string): void {
    const s = stateFor(symbol)
    s.bid = dec(bid)
    s.ask = dec(ask)
    s.last = dec(bid)
    s.updateId += 1
  }

  function setPrice(symbol: string, bid: string, ask: string, depth?: number): void {
    const s = stateFor(symbol)
    const b = dec(bid)
    const a = dec(ask)
    if (!b.gt(0) || !a.gt(b)) throw new Error(`fake-binance: need 0 < bid < ask, got bid ${bid} ask ${ask}`)
    if (depth !== undefined && !(Number.isInteger(depth) && depth >= 1)) throw new Error(`fake-binance: depth must be a positive integer, got ${depth}`)
    s.bid = b
    s.ask = a
    // The last trade hit the bid: deliberately not the mid, so a test can tell where `last` came from.
    s.last = b
    if (depth !== undefined) s.levels = depth
    s.updateId += 1
  }

  function setFailing(mode: FailingMode): void {
    if (!['none', 'http500', 'hang'].includes(mode)) throw new Error(`fake-binance: unknown failing mode ${mode}`)
    failing = mode
  }

  function removeSymbol(symbol: string): void {
    byId.delete(stateFor(symbol).id)
  }

  // ---- protocol ----------------------------------------------------------------------------

  const symbolParam = (q: URLSearchParams, required: boolean): SymbolState | undefined => {
    const id = q.get('symbol')
    if (!id) {
      if (required) throw mandatory('symbol')
      return undefined
    }
    const s = byId.get(id)
    if (!s) throw invalidSymbol()
    return s
  }

  /** `symbol=X`, `symbols=["X","Y"]` or neither (= all), as Binance's ticker endpoints accept. */
  const selectSymbols = (q: URLSearchParams): { list: SymbolState[]; single: boolean } => {
    const one = symbolParam(q, false)
    const many = q.get('symbols')
    if (one && many !== null) throw new HttpError(400, -1101, "Parameter 'symbol' and 'symbols' cannot be sent together.")
    if (one) return { list: [one], single: true }
    if (many !== null) {
      let ids: unknown
      try {
        ids = JSON.parse(many)
      } catch {
        throw new HttpError(400, -1100, "Illegal characters found in parameter 'symbols'; legal range is '^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$'.")
      }
      if (!Array.isArray(ids) || ids.length === 0) throw mandatory('symbols')
      return { list: ids.map((id) => byId.get(String(id)) ?? throwErr(invalidSymbol())), single: false }
    }
    return { list: [...byId.values()], single: false }
  }

  const exchangeInfoSymbol = (s: SymbolState) => {
    const filters: Record<string, unknown>[] = [
      { filterType: 'PRICE_FILTER', minPrice: fmt(s.tick), maxPrice: '1000000.00000000', tickSize: fmt(s.tick) },
      { filterType: 'LOT_SIZE', minQty: fmt(dec(s.spec.minQty ?? s.spec.stepSize)), maxQty: '9000.00000000', stepSize: fmt(s.step) },
      { filterType: 'ICEBERG_PARTS', limit: 10 },
      { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000000', maxQty: '100.00000000', stepSize: '0.00000000' },
      { filterType: 'TRAILING_DELTA', minTrailingAboveDelta: 10, maxTrailingAboveDelta: 2000, minTrailingBelowDelta: 10, maxTrailingBelowDelta: 2000 },
      { filterType: 'PERCENT_PRICE_BY_SIDE', bidMultiplierUp: '5', bidMultiplierDown: '0.2', askMultiplierUp: '5', askMultiplierDown: '0.2', avgPriceMins: 5 },
    ]
    if (s.spec.minNotional !== undefined) {
      const minNotional = fmt(dec(s.spec.minNotional))
      filters.push(
        s.spec.notionalFilter === 'MIN_NOTIONAL'
          ? { filterType: 'MIN_NOTIONAL', minNotional, applyToMarket: true, avgPriceMins: 5 }
          : { filterType: 'NOTIONAL', minNotional, applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
      )
    }
    filters.push({ filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 }, { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 })
    return {
      symbol: s.id,
      status: 'TRADING',
      baseAsset: s.base,
      baseAssetPrecision: 8,
      quoteAsset: s.quote,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      baseCommissionPrecision: 8,
      quoteCommissionPrecision: 8,
      orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
      icebergAllowed: true,
      ocoAllowed: true,
      otoAllowed: true,
      quoteOrderQtyMarketAllowed: true,
      allowTrailingStop: true,
      cancelReplaceAllowed: true,
      amendAllowed: true,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: true,
      filters,
      permissions: [],
      permissionSets: [['SPOT', 'MARGIN', 'TRD_GRP_004', 'TRD_GRP_005', 'TRD_GRP_006']],
      defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
      allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
    }
  }

  /** Deterministic, plausible quantity for book level i. */
  const levelQty = (s: SymbolState, i: number) => s.step.mul(1000 + ((i * 7919) % 50_000))

  const depth = (q: URLSearchParams) => {
    const s = symbolParam(q, true)!
    const limitRaw = q.get('limit')
    const limit = limitRaw === null ? 100 : Number(limitRaw)
    if (!Number.isInteger(limit) || limit < 1 || limit > 5000) throw new HttpError(400, -1100, "Illegal characters found in parameter 'limit'; legal range is '1-5000'.")
    const n = Math.min(limit, s.levels)
    const bids: [string, string][] = []
    const asks: [string, string][] = []
    for (let i = 0; i < n; i++) {
      const bp = s.bid.minus(s.tick.mul(i))
      if (bp.gt(0)) bids.push([fmt(bp), fmt(levelQty(s, i))])
      asks.push([fmt(s.ask.plus(s.tick.mul(i))), fmt(levelQty(s, i + 1))])
    }
    // Spot depth carries no timestamp, only lastUpdateId (futures add E/T).
    return { lastUpdateId: s.updateId, bids, asks }
  }

  const ticker24h = (s: SymbolState, now: number) => {
    const change = s.last.minus(s.open24h)
    return {
      symbol: s.id,
      priceChange: fmt(change),
      priceChangePercent: change.div(s.open24h).mul(100).toFixed(3),
      weightedAvgPrice: fmt(s.open24h.plus(s.last).div(2).toNearest(s.tick)),
      prevClosePrice: fmt(s.open24h),
      lastPrice: fmt(s.last),
      lastQty: fmt(levelQty(s, 3)),
      bidPrice: fmt(s.bid),
      bidQty: fmt(levelQty(s, 0)),
      askPrice: fmt(s.ask),
      askQty: fmt(levelQty(s, 1)),
      openPrice: fmt(s.open24h),
      highPrice: fmt(Decimal.max(s.open24h, s.ask)),
      lowPrice: fmt(Decimal.min(s.open24h, s.bid)),
      volume: fmt(s.quoteVolume ? s.quoteVolume.div(s.last).toNearest(s.step, Decimal.ROUND_DOWN) : s.step.mul(12_345_678)),
      quoteVolume: fmt(s.quoteVolume ?? s.step.mul(12_345_678).mul(s.last)),
      openTime: now - 86_400_000,
      closeTime: now,
      firstId: 1_000_000,
      lastId: 1_000_000 + s.updateId,
      count: s.updateId + 1,
    }
  }

  const bookTicker = (s: SymbolState) => ({
    symbol: s.id, bidPrice: fmt(s.bid), bidQty: fmt(levelQty(s, 0)), askPrice: fmt(s.ask), askQty: fmt(levelQty(s, 1)),
  })

  /**
   * Candles that end at the current last price. Candle k intervals back is a pure function of k,
   * so overlapping requests agree with each other.
   */
  const klines = (q: URLSearchParams, now: number) => {
    const s = symbolParam(q, true)!
    const interval = q.get('interval')
    if (!interval) throw mandatory('interval')
    const ms = INTERVAL_MS[interval]
    if (!ms) throw new HttpError(400, -1120, 'Invalid interval.')
    const limit = Math.min(Number(q.get('limit') ?? 500), 1000)
    if (!Number.isInteger(limit) || limit < 1) throw new HttpError(400, -1100, "Illegal characters found in parameter 'limit'.")
    const current = Math.floor(now / ms) * ms
    const start = q.get('startTime')
    const end = q.get('endTime')
    let opens: number[] = []
    if (start !== null) {
      const last = Math.min(current, end !== null ? Math.floor(Number(end) / ms) * ms : current)
      for (let t = Math.ceil(Number(start) / ms) * ms; t <= last && opens.length < limit; t += ms) opens.push(t)
    } else {
      const last = Math.min(current, end !== null ? Math.floor(Number(end) / ms) * ms : current)
      for (let i = limit - 1; i >= 0; i--) opens.push(last - i * ms)
    }
    opens = opens.filter((t) => t >= 0)
    const closeAt = (k: number) =>
      k === 0 ? s.last : Decimal.max(s.last.plus(s.tick.mul(25 * (((k * 7919) % 41) - 20))), s.tick)
    return opens.map((t) => {
      const k = (current - t) / ms
      const close = closeAt(k)
      const open = closeAt(k + 1)
      const high = Decimal.max(open, close).plus(s.tick.mul((k % 5) + 1))
      const low = Decimal.max(Decimal.min(open, close).minus(s.tick.mul(((k * 3) % 5) + 1)), s.tick)
      const volume = s.step.mul(10_000 + ((k * 104_729) % 90_000))
      return [t, fmt(open), fmt(high), fmt(low), fmt(close), fmt(volume), t + ms - 1, fmt(volume.mul(close)), 100 + (k % 50), fmt(volume.div(2).toNearest(s.step)), fmt(volume.div(2).toNearest(s.step).mul(close)), '0']
    })
  }

  function route(path: string, q: URLSearchParams): unknown {
    const now = Date.now()
    switch (path) {
      case '/api/v3/ping':
        return {}
      case '/api/v3/time':
        return { serverTime: now }
      case '/api/v3/exchangeInfo': {
        const { list } = selectSymbols(q)
        return {
          timezone: 'UTC',
          serverTime: now,
          rateLimits: [
            { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
            { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
            { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
            { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
          ],
          exchangeFilters: [],
          symbols: list.map(exchangeInfoSymbol),
        }
      }
      case '/api/v3/depth':
        return depth(q)
      case '/api/v3/ticker/24hr': {
        const { list, single } = selectSymbols(q)
        return single ? ticker24h(list[0]!, now) : list.map((s) => ticker24h(s, now))
      }
      case '/api/v3/ticker/bookTicker': {
        const { list, single } = selectSymbols(q)
        return single ? bookTicker(list[0]!) : list.map(bookTicker)
      }
      case '/api/v3/ticker/price': {
        const { list, single } = selectSymbols(q)
        const price = (s: SymbolState) => ({ symbol: s.id, price: fmt(s.last) })
        return single ? price(list[0]!) : list.map(price)
      }
      case '/api/v3/klines':
        return klines(q, now)
      default:
        throw new HttpError(404, -1000, `Unknown path ${path}`)
    }
  }

  // ---- control (for a browser e2e run in another process) -----------------------------------

  async function control(path: string, req: IncomingMessage): Promise<unknown> {
    if (req.method !== 'POST') throw new HttpError(405, -1000, 'control endpoints take POST')
    let body: Record<string, unknown>
    try {
      body = JSON.parse(await readBody(req)) as Record<string, unknown>
    } catch {
      throw new HttpError(400, -1000, 'control body must be JSON')
    }
    try {
      if (path === '/__control/price') {
        setPrice(String(body.symbol), String(body.bid), String(body.ask), body.depth === undefined ? undefined : Number(body.depth))
      } else if (path === '/__control/failing') {
        setFailing(body.mode as FailingMode)
      } else {
        throw new HttpError(404, -1000, `Unknown control path ${path}`)
      }
    } catch (e) {
      if (e instanceof HttpError) throw e
      throw new HttpError(400, -1000, (e as Error).message)
    }
    return { ok: true }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake')
    if (url.pathname.startsWith('/__control/')) {
      control(url.pathname, req).then((b) => send(res, 200, b), (e: unknown) => sendError(res, e))
      return
    }
    requests.push(url.pathname + url.search)
    if (failing === 'hang') return // never answer; the client's timeout has to fire
    if (failing === 'http500') {
      send(res, 500, { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' })
      return
    }
    try {
      if (req.method !== 'GET') throw new HttpError(405, -1000, 'Only GET is supported by this fake')
      send(res, 200, route(url.pathname, url.searchParams))
    } catch (e) {
      sendError(res, e)
    }
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const address = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${address.port}`,
    setPrice,
    setBrokenBook,
    setFailing,
    setQuoteVolume: (symbol, quoteVolume) => {
      stateFor(symbol).quoteVolume = dec(quoteVolume)
    },
    removeSymbol,
    bookTicker: (symbol) => {
      const s = stateFor(symbol)
      return { ...bookTicker(s), updateId: s.updateId }
    },
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        // Idle keep-alive sockets (ccxt keeps them 60 s) and hung requests would hold close() open.
        server.closeAllConnections()
      }),
  }
}

function throwErr(e: Error): never {
  throw e
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

function sendError(res: ServerResponse, e: unknown): void {
  if (e instanceof HttpError) send(res, e.status, { code: e.code, msg: e.message })
  else send(res, 500, { code: -1000, msg: `fake-binance internal error: ${(e as Error)?.message ?? String(e)}` })
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

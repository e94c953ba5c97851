import { createPublicKey, randomUUID, verify, type KeyObject } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Decimal, dec } from '@/lib/domain/decimal'

/**
 * A local HTTP server that speaks Coinbase Advanced Trade's REST v3 for the endpoints the real
 * ccxt `coinbase` client calls for spot trading, with an in-memory book: balances (available and
 * hold), orders and fills. Shapes follow Coinbase (decimal strings, `success:false` with an
 * `error_response` for order refusals, `{error,message}` for request refusals, cursor paging).
 *
 * Authentication is checked as for CDP keys: every private request carries a Bearer ES256 JWT
 * whose signature is verified with the key's public key, and whose kid/sub, lifetime and `uri`
 * claim ("METHOD host/path") must match. ccxt strips only "https://" from the uri, so over http it
 * signs "METHOD http://host/path"; the scheme is ignored here.
 *
 * Tests set prices (stop-limits trigger on the last trade price, resting limits fill when
 * crossed), cap liquidity (partial fills), inject faults per request and read every request.
 * Modelled as on Coinbase: a client_order_id already used returns the existing order instead of
 * creating another.
 */

export interface FakeCoinbaseRequest {
  method: string
  path: string
  /** Query parameters; repeated keys (product_ids=A&product_ids=B) keep every value. */
  query: Record<string, string[]>
  /** The parsed JSON body of a POST. */
  body: unknown
  /** The JWT's subject when its signature checked out. */
  keyName: string | undefined
}

export type FakeCoinbaseFault =
  /** The request is executed, then the socket is destroyed: the client never hears the answer. */
  | { kind: 'acceptThenDrop' }
  /** The request is executed, then no answer ever comes (the client's timeout has to fire). */
  | { kind: 'acceptThenHang' }
  /** 429, never executed; Retry-After (seconds) only when given. */
  | { kind: 'rateLimited'; retryAfterSec?: number }
  /** A 5xx; `execute` says whether the backend processed it; the body a gateway page or Coinbase JSON. */
  | { kind: 'http5xx'; status: 500 | 502 | 503 | 504; execute: boolean; body?: 'html' | 'json' }
  /** The socket is destroyed before the request is looked at: nothing executed. */
  | { kind: 'dropBeforeAccept' }

export type FakeCoinbaseFaultMatcher = { method?: string; path?: string } | ((r: FakeCoinbaseRequest) => boolean)

export interface FakeProductSpec {
  /** Unified form, e.g. 'BTC/USD'; the product id is 'BTC-USD'. */
  symbol: string
  baseIncrement: string
  /** Tick of prices; Coinbase lists it as price_increment (and quote_increment). */
  priceIncrement: string
  baseMinSize: string
  quoteMinSize: string
  bid: string
  ask: string
  /** The 24 h volume in the quote currency (approximate_quote_24h_volume); omitted, 1000 base units at the last price. */
  quoteVolume24h?: string
}

export const DEFAULT_FAKE_PRODUCTS: FakeProductSpec[] = [
  { symbol: 'BTC/USD', baseIncrement: '0.00000001', priceIncrement: '0.01', baseMinSize: '0.00001', quoteMinSize: '1', bid: '60000.00', ask: '60000.01' },
  { symbol: 'ETH/USD', baseIncrement: '0.00000001', priceIncrement: '0.01', baseMinSize: '0.0001', quoteMinSize: '1', bid: '3000.00', ask: '3000.01' },
  { symbol: 'SOL/USDC', baseIncrement: '0.001', priceIncrement: '0.01', baseMinSize: '0.01', quoteMinSize: '1', bid: '150.00', ask: '150.01' },
]

type OrderStatus = 'OPEN' | 'FILLED' | 'CANCELLED' | 'EXPIRED' | 'FAILED'

export interface FakeCoinbaseOrder {
  order_id: string
  client_order_id: string
  product_id: string
  side: 'BUY' | 'SELL'
  /** The order_configuration exactly as received. */
  configuration: Record<string, Record<string, unknown>>
  order_type: 'MARKET' | 'LIMIT' | 'STOP_LIMIT'
  time_in_force: 'IMMEDIATE_OR_CANCEL' | 'GOOD_UNTIL_CANCELLED'
  status: OrderStatus
  size: Decimal
  limitPrice: Decimal | undefined
  stopPrice: Decimal | undefined
  stopDirection: 'STOP_DIRECTION_STOP_UP' | 'STOP_DIRECTION_STOP_DOWN' | undefined
  triggered: boolean
  filled: Decimal
  filledValue: Decimal
  fees: Decimal
  /** What a resting order still holds: quote for a buy (size × limit × (1 + taker)), base for a sell. */
  hold: Decimal
  /** Reads left during which an accepted cancel still shows CANCEL_QUEUED (see setCancelQueuedReads). */
  cancelQueuedReads: number | undefined
  created: number
  lastFill: number | undefined
}

export interface FakeCoinbaseFill {
  entry_id: string
  trade_id: string
  order_id: string
  product_id: string
  side: 'BUY' | 'SELL'
  price: Decimal
  size: Decimal
  commission: Decimal
  liquidity: 'MAKER' | 'TAKER'
  time: number
  /** Hidden fills are matched and booked but not yet listed by /historical/fills (see hideNewFills). */
  hidden: boolean
}

export interface FakeCoinbase {
  url: string
  apiKey: string
  /** Sets bid/ask (ask defaults to bid + one tick) and last = bid, then matches resting orders. */
  setPrice(symbol: string, bid: string, ask?: string): void
  setBalance(currency: string, available: string): void
  /** Caps the quantity takers can fill (partial fills); undefined = unlimited. */
  setLiquidity(symbol: string, qty: string | undefined): void
  /** Splits every taker fill into this many fills at consecutive ticks (default 1). */
  setFillSplit(n: number): void
  /** While on, new fills are booked (the order shows them in filled_size) but not yet listed. */
  hideNewFills(on: boolean): void
  /** An accepted cancel shows CANCEL_QUEUED for this many reads of the order before it is done (default 0). */
  setCancelQueuedReads(n: number): void
  setPermissions(p: { canTrade?: boolean; canTransfer?: boolean }): void
  /** Queues a fault for the next request that matches (consumed once). */
  injectFault(match: FakeCoinbaseFaultMatcher, fault: FakeCoinbaseFault): void
  requests: FakeCoinbaseRequest[]
  orders: FakeCoinbaseOrder[]
  fills: FakeCoinbaseFill[]
  balance(currency: string): { available: Decimal; hold: Decimal }
  /** Called after anything that may have changed the book (a request, a price); returns an unsubscribe. */
  onBookChange(listener: () => void): () => void
  /** The HTTP server, so a websocket server can share its port (the stream's host follows the REST host). */
  server: Server
  close(): Promise<void>
}

export interface FakeCoinbaseOptions {
  /** The CDP key name the JWT must carry (kid and sub). */
  apiKey: string
  /** The key's public key (PEM) to verify signatures with. */
  publicKeyPem: string
  products?: FakeProductSpec[]
  balances?: Record<string, string>
  /** Crypto held in a vault: listed by /accounts as ACCOUNT_TYPE_VAULT, not tradeable. */
  vaultBalances?: Record<string, string>
  takerFeeRate?: string
  makerFeeRate?: string
  /** The most rows one page of accounts, orders or fills holds, whatever limit is asked (Coinbase caps pages too). */
  maxPageSize?: number
}

class Refusal extends Error {
  constructor(
    public status: number,
    public body: unknown,
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body))
  }
}

/** A request Coinbase refuses outright (HTTP 4xx, `{error, message}`). */
const badRequest = (message: string, error = 'INVALID_ARGUMENT') => new Refusal(400, { error, error_details: message, message })

/** An order Coinbase refuses (HTTP 200, `success: false`); `preview` is its preview_failure_reason. */
class OrderRefusal extends Error {
  constructor(
    public error: string,
    message: string,
    public preview?: string,
  ) {
    super(message)
  }
}

interface ProductState {
  id: string
  base: string
  quote: string
  step: Decimal
  tick: Decimal
  minSize: Decimal
  minFunds: Decimal
  bid: Decimal
  ask: Decimal
  last: Decimal
  liquidity: Decimal | undefined
  quoteVolume24h: Decimal | undefined
}

const PRIVATE_PREFIX = '/api/v3/brokerage/'
const PUBLIC_PREFIXES = ['/api/v3/brokerage/market/', '/api/v3/brokerage/time']
const ORDER_BY_ID = /^\/api\/v3\/brokerage\/orders\/historical\/([^/]+)$/

/** Coinbase's timestamps: RFC 3339 with microseconds. */
const iso = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z')
const s = (d: Decimal) => d.toFixed()

export async function startFakeCoinbase(opts: FakeCoinbaseOptions): Promise<FakeCoinbase> {
  const publicKey: KeyObject = createPublicKey(opts.publicKeyPem)
  const taker = dec(opts.takerFeeRate ?? '0.006')
  const maker = dec(opts.makerFeeRate ?? '0.004')
  const maxPage = opts.maxPageSize ?? 250
  const portfolio = randomUUID()
  const products = new Map<string, ProductState>()
  for (const p of opts.products ?? DEFAULT_FAKE_PRODUCTS) {
    const [base, quote] = p.symbol.split('/') as [string, string]
    products.set(`${base}-${quote}`, {
      id: `${base}-${quote}`, base, quote, step: dec(p.baseIncrement), tick: dec(p.priceIncrement), minSize: dec(p.baseMinSize),
      minFunds: dec(p.quoteMinSize), bid: dec(p.bid), ask: dec(p.ask), last: dec(p.bid), liquidity: undefined,
      quoteVolume24h: p.quoteVolume24h === undefined ? undefined : dec(p.quoteVolume24h),
    })
  }
  const balances = new Map<string, { available: Decimal; hold: Decimal }>()
  const bal = (c: string) => {
    let b = balances.get(c)
    if (!b) balances.set(c, (b = { available: dec(0), hold: dec(0) }))
    return b
  }
  for (const [c, amount] of Object.entries(opts.balances ?? { USD: '100000', USDC: '10000', BTC: '1', ETH: '10' })) bal(c).available = dec(amount)
  const vaults = new Map(Object.entries(opts.vaultBalances ?? {}).map(([c, a]) => [c, dec(a)]))

  const requests: FakeCoinbaseRequest[] = []
  const orders: FakeCoinbaseOrder[] = []
  const fills: FakeCoinbaseFill[] = []
  const faults: { match: FakeCoinbaseFaultMatcher; fault: FakeCoinbaseFault }[] = []
  let permissions = { canTrade: true, canTransfer: false }
  const bookListeners = new Set<() => void>()
  const bookChanged = () => {
    for (const listener of bookListeners) listener()
  }
  let fillSplit = 1
  let hideFills = false
  let cancelQueuedReads = 0
  let nextTrade = 1
  let clock = 0
  /** Strictly increasing times, so "newest first" is well defined within one millisecond. */
  const now = () => (clock = Math.max(Date.now(), clock + 1))

  const productOf = (symbol: string) => {
    const p = products.get(symbol.replace('/', '-').toUpperCase())
    if (!p) throw new Error(`fake-coinbase: no product ${symbol}`)
    return p
  }

  // ---- the book ---------------------------------------------------------------------------

  /** Splits a taker quantity into `fillSplit` pieces at consecutive ticks (the last takes the rest). */
  function takerPieces(o: Pick<FakeCoinbaseOrder, 'side'>, p: ProductState, qty: Decimal, px: Decimal) {
    const pieces: { size: Decimal; price: Decimal }[] = []
    let left = qty
    for (let i = 0; i < fillSplit && left.gt(0); i++) {
      const part = i === fillSplit - 1 ? left : qty.div(fillSplit).toNearest(p.step, Decimal.ROUND_DOWN)
      if (part.gt(0)) pieces.push({ size: part, price: o.side === 'BUY' ? px.plus(p.tick.mul(i)) : px.minus(p.tick.mul(i)) })
      left = left.minus(part)
    }
    return pieces
  }

  /** Books one fill: balances move, the order's totals grow. */
  function book(o: FakeCoinbaseOrder, p: ProductState, size: Decimal, price: Decimal, liquidity: 'MAKER' | 'TAKER', t: number) {
    const value = size.mul(price)
    const commission = value.mul(liquidity === 'MAKER' ? maker : taker)
    if (o.side === 'BUY') {
      if (o.hold.gt(0)) {
        const release = Decimal.min(o.hold, size.mul(o.limitPrice!).mul(taker.plus(1)))
        o.hold = o.hold.minus(release)
        bal(p.quote).hold = bal(p.quote).hold.minus(release)
        bal(p.quote).available = bal(p.quote).available.plus(release)
      }
      bal(p.quote).available = bal(p.quote).available.minus(value).minus(commission)
      bal(p.base).available = bal(p.base).available.plus(size)
    } else {
      if (o.hold.gt(0)) {
        o.hold = o.hold.minus(size)
        bal(p.base).hold = bal(p.base).hold.minus(size)
      } else bal(p.base).available = bal(p.base).available.minus(size)
      bal(p.quote).available = bal(p.quote).available.plus(value).minus(commission)
    }
    o.filled = o.filled.plus(size)
    o.filledValue = o.filledValue.plus(value)
    o.fees = o.fees.plus(commission)
    o.lastFill = t
    const n = nextTrade++
    fills.push({
      entry_id: randomUUID(), trade_id: `trade-${n}`, order_id: o.order_id, product_id: p.id, side: o.side, price, size, commission,
      liquidity, time: t, hidden: hideFills,
    })
    p.last = price
    if (o.filled.gte(o.size)) o.status = 'FILLED'
  }

  /** Takes liquidity for a crossing order at the book (bounded by its limit); returns what filled. */
  function take(o: FakeCoinbaseOrder, p: ProductState, t: number): Decimal {
    const remaining = o.size.minus(o.filled)
    const qty = p.liquidity === undefined ? remaining : Decimal.min(remaining, p.liquidity)
    if (!qty.gt(0)) return dec(0)
    if (p.liquidity !== undefined) p.liquidity = p.liquidity.minus(qty)
    const px = o.side === 'BUY' ? (o.limitPrice ? Decimal.min(o.limitPrice, p.ask) : p.ask) : o.limitPrice ? Decimal.max(o.limitPrice, p.bid) : p.bid
    for (const piece of takerPieces(o, p, qty, px)) book(o, p, piece.size, piece.price, 'TAKER', t)
    return qty
  }

  const crosses = (o: FakeCoinbaseOrder, p: ProductState) => (o.side === 'BUY' ? p.ask.lte(o.limitPrice!) : p.bid.gte(o.limitPrice!))
  const touched = (o: FakeCoinbaseOrder, p: ProductState) =>
    o.stopDirection === 'STOP_DIRECTION_STOP_DOWN' ? p.last.lte(o.stopPrice!) : p.last.gte(o.stopPrice!)

  function release(o: FakeCoinbaseOrder, p: ProductState) {
    if (!o.hold.gt(0)) return
    const c = o.side === 'BUY' ? p.quote : p.base
    bal(c).hold = bal(c).hold.minus(o.hold)
    bal(c).available = bal(c).available.plus(o.hold)
    o.hold = dec(0)
  }

  function matchResting(p: ProductState) {
    const t = now()
    for (const o of orders) {
      if (o.product_id !== p.id || o.status !== 'OPEN' || o.order_type === 'MARKET') continue
      let justTriggered = false
      if (o.order_type === 'STOP_LIMIT' && !o.triggered) {
        if (!touched(o, p)) continue
        o.triggered = justTriggered = true
      }
      if (!crosses(o, p)) continue
      // A stop that has just triggered meets the book as a taker; a limit that was resting is the maker.
      if (justTriggered) take(o, p, t)
      else {
        const remaining = o.size.minus(o.filled)
        const qty = p.liquidity === undefined ? remaining : Decimal.min(remaining, p.liquidity)
        if (p.liquidity !== undefined) p.liquidity = p.liquidity.minus(qty)
        if (qty.gt(0)) book(o, p, qty, o.limitPrice!, 'MAKER', t)
      }
    }
  }

  // ---- orders -------------------------------------------------------------------------------

  const decimalField = (cfg: Record<string, unknown>, name: string): Decimal => {
    const v = cfg[name]
    if (typeof v !== 'string' || !/^\d+(\.\d+)?$/.test(v)) throw badRequest(`${name} must be a decimal string, got ${JSON.stringify(v)}`)
    return dec(v)
  }

  function createOrder(body: Record<string, unknown>) {
    const cid = body.client_order_id
    if (typeof cid !== 'string' || cid === '') throw badRequest('client_order_id is required')
    const side = body.side
    if (side !== 'BUY' && side !== 'SELL') throw badRequest('side must be BUY or SELL')
    const cfgAll = body.order_configuration as Record<string, Record<string, unknown>> | undefined
    const keys = cfgAll && typeof cfgAll === 'object' ? Object.keys(cfgAll) : []
    if (keys.length !== 1) throw badRequest('order_configuration must hold exactly one configuration')
    const existing = orders.find((o) => o.client_order_id === cid)
    // Coinbase: a client_order_id already used returns that order; nothing new is created.
    if (existing) return success(existing)
    const p = products.get(String(body.product_id))
    if (!p) throw new OrderRefusal('INVALID_PRODUCT_ID', `product ${String(body.product_id)} does not exist`)
    const key = keys[0]!
    const cfg = cfgAll![key]!
    const t = now()
    const o: FakeCoinbaseOrder = {
      order_id: randomUUID(), client_order_id: cid, product_id: p.id, side, configuration: { [key]: { ...cfg } }, order_type: 'MARKET',
      time_in_force: 'IMMEDIATE_OR_CANCEL', status: 'OPEN', size: dec(0), limitPrice: undefined, stopPrice: undefined, stopDirection: undefined,
      triggered: false, filled: dec(0), filledValue: dec(0), fees: dec(0), hold: dec(0), cancelQueuedReads: undefined, created: t, lastFill: undefined,
    }
    if (key === 'market_market_ioc') {
      if (cfg.quote_size !== undefined) throw badRequest('this fake takes market orders sized in base units only (base_size)')
      o.size = decimalField(cfg, 'base_size')
    } else if (key === 'limit_limit_gtc') {
      o.order_type = 'LIMIT'
      o.time_in_force = 'GOOD_UNTIL_CANCELLED'
      o.size = decimalField(cfg, 'base_size')
      o.limitPrice = decimalField(cfg, 'limit_price')
    } else if (key === 'stop_limit_stop_limit_gtc') {
      o.order_type = 'STOP_LIMIT'
      o.time_in_force = 'GOOD_UNTIL_CANCELLED'
      o.size = decimalField(cfg, 'base_size')
      o.limitPrice = decimalField(cfg, 'limit_price')
      o.stopPrice = decimalField(cfg, 'stop_price')
      const dir = cfg.stop_direction
      if (dir !== 'STOP_DIRECTION_STOP_UP' && dir !== 'STOP_DIRECTION_STOP_DOWN') throw badRequest('stop_direction is required')
      o.stopDirection = dir
    } else {
      throw new OrderRefusal('UNSUPPORTED_ORDER_CONFIGURATION', `${key} is not supported by this fake`)
    }
    // The product's grid and minimums.
    if (!o.size.gt(0) || !o.size.mod(p.step).isZero()) throw new OrderRefusal('INVALID_SIZE_PRECISION', `base_size ${s(o.size)} is not a multiple of ${s(p.step)}`)
    if (o.size.lt(p.minSize)) throw new OrderRefusal('UNKNOWN_FAILURE_REASON', `base size is below the minimum ${s(p.minSize)}`, 'PREVIEW_INVALID_BASE_SIZE_TOO_SMALL')
    for (const px of [o.limitPrice, o.stopPrice]) {
      if (px && (!px.gt(0) || !px.mod(p.tick).isZero())) throw new OrderRefusal('INVALID_PRICE_PRECISION', `price ${s(px)} is not a multiple of ${s(p.tick)}`)
    }
    const refPrice = o.limitPrice ?? (side === 'BUY' ? p.ask : p.bid)
    if (o.size.mul(refPrice).lt(p.minFunds)) throw new OrderRefusal('UNKNOWN_FAILURE_REASON', `order value is below the minimum ${s(p.minFunds)}`, 'PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL')
    if (o.order_type === 'LIMIT' && cfg.post_only === true && crosses(o, p)) {
      throw new OrderRefusal('INVALID_LIMIT_PRICE_POST_ONLY', 'post-only order would cross the book')
    }
    if (o.order_type === 'STOP_LIMIT') {
      // A stop must not trigger on arrival.
      if (o.stopDirection === 'STOP_DIRECTION_STOP_DOWN' && o.stopPrice!.gte(p.last)) {
        throw new OrderRefusal('UNKNOWN_FAILURE_REASON', 'stop price is at or above the last trade price', 'PREVIEW_STOP_PRICE_ABOVE_LAST_TRADE_PRICE')
      }
      if (o.stopDirection === 'STOP_DIRECTION_STOP_UP' && o.stopPrice!.lte(p.last)) {
        throw new OrderRefusal('UNKNOWN_FAILURE_REASON', 'stop price is at or below the last trade price', 'PREVIEW_STOP_PRICE_BELOW_LAST_TRADE_PRICE')
      }
    }
    // Funds: resting orders hold them; a market order must be covered by what it would take.
    const insufficient = () => new OrderRefusal('INSUFFICIENT_FUND', 'Insufficient balance in source account', 'PREVIEW_INSUFFICIENT_FUND')
    if (o.order_type === 'MARKET') {
      if (side === 'SELL') {
        if (bal(p.base).available.lt(o.size)) throw insufficient()
      } else {
        const qty = p.liquidity === undefined ? o.size : Decimal.min(o.size, p.liquidity)
        const cost = takerPieces(o, p, qty, p.ask).reduce((acc, x) => acc.plus(x.size.mul(x.price).mul(taker.plus(1))), dec(0))
        if (bal(p.quote).available.lt(cost)) throw insufficient()
      }
    } else {
      const c = side === 'BUY' ? p.quote : p.base
      const hold = side === 'BUY' ? o.size.mul(o.limitPrice!).mul(taker.plus(1)) : o.size
      if (bal(c).available.lt(hold)) throw insufficient()
      bal(c).available = bal(c).available.minus(hold)
      bal(c).hold = bal(c).hold.plus(hold)
      o.hold = hold
    }
    orders.push(o)
    if (o.order_type === 'MARKET') {
      take(o, p, t)
      if (o.status === 'OPEN') o.status = 'CANCELLED' // IOC: the unfilled rest is canceled, the fills stay
    } else if (o.order_type === 'LIMIT' && crosses(o, p)) {
      take(o, p, t)
    }
    return success(o)
  }

  const success = (o: FakeCoinbaseOrder) => ({
    success: true,
    failure_reason: 'UNKNOWN_FAILURE_REASON',
    order_id: o.order_id,
    success_response: { order_id: o.order_id, product_id: o.product_id, side: o.side, client_order_id: o.client_order_id },
    order_configuration: o.configuration,
  })

  function cancel(o: FakeCoinbaseOrder) {
    o.status = 'CANCELLED'
    o.cancelQueuedReads = undefined
    release(o, products.get(o.product_id)!)
  }

  function batchCancel(body: Record<string, unknown>) {
    const ids = body.order_ids
    if (!Array.isArray(ids) || ids.length === 0) throw badRequest('order_ids is required')
    return {
      results: ids.map((id) => {
        const o = orders.find((x) => x.order_id === id)
        // Coinbase names no finer reason for an order that is unknown or no longer open.
        if (!o || o.status !== 'OPEN') return { success: false, failure_reason: 'UNKNOWN_CANCEL_ORDER', order_id: String(id) }
        if (o.cancelQueuedReads !== undefined) return { success: false, failure_reason: 'DUPLICATE_CANCEL_REQUEST', order_id: o.order_id }
        if (cancelQueuedReads > 0) o.cancelQueuedReads = cancelQueuedReads
        else cancel(o)
        return { success: true, failure_reason: 'UNKNOWN_CANCEL_FAILURE_REASON', order_id: o.order_id }
      }),
    }
  }

  function orderJson(o: FakeCoinbaseOrder) {
    const avg = o.filled.gt(0) ? o.filledValue.div(o.filled) : dec(0)
    const status = o.status === 'OPEN' && o.cancelQueuedReads !== undefined ? 'CANCEL_QUEUED' : o.status
    return {
      order_id: o.order_id, product_id: o.product_id, user_id: 'fake-user', order_configuration: o.configuration, side: o.side,
      client_order_id: o.client_order_id, status, time_in_force: o.time_in_force, created_time: iso(o.created),
      completion_percentage: s(o.filled.div(o.size).mul(100).toDecimalPlaces(2)), filled_size: s(o.filled), average_filled_price: s(avg),
      fee: '', number_of_fills: String(fills.filter((f) => f.order_id === o.order_id).length), filled_value: s(o.filledValue),
      pending_cancel: o.cancelQueuedReads !== undefined, size_in_quote: false, total_fees: s(o.fees), size_inclusive_of_fees: false,
      total_value_after_fees: s(o.side === 'BUY' ? o.filledValue.plus(o.fees) : o.filledValue.minus(o.fees)),
      trigger_status: o.order_type !== 'STOP_LIMIT' ? 'INVALID_ORDER_TYPE' : o.triggered ? 'STOP_TRIGGERED' : 'STOP_PENDING',
      order_type: o.order_type, reject_reason: '', settled: o.status !== 'OPEN', product_type: 'SPOT', reject_message: '',
      cancel_message: o.status === 'CANCELLED' ? (o.order_type === 'MARKET' ? 'IOC order was not fully filled' : 'User requested cancel') : '',
      order_placement_source: 'RETAIL_ADVANCED', outstanding_hold_amount: s(o.hold), is_liquidation: false,
      last_fill_time: o.lastFill === undefined ? null : iso(o.lastFill), edit_history: [], leverage: '', margin_type: 'UNKNOWN_MARGIN_TYPE',
      retail_portfolio_id: portfolio, originating_order_id: '', attached_order_id: '',
    }
  }

  function fillJson(f: FakeCoinbaseFill) {
    return {
      entry_id: f.entry_id, trade_id: f.trade_id, order_id: f.order_id, trade_time: iso(f.time), trade_type: 'FILL', price: s(f.price),
      size: s(f.size), commission: s(f.commission), product_id: f.product_id, sequence_timestamp: iso(f.time),
      liquidity_indicator: f.liquidity, size_in_quote: false, user_id: 'fake-user', side: f.side, retail_portfolio_id: portfolio,
    }
  }

  /** Cursor paging as Coinbase does it: `limit` (capped), an opaque cursor, has_next. */
  function page<T>(rows: T[], q: Record<string, string[]>) {
    const limit = Math.min(Number(q.limit?.[0] ?? 100) || 100, maxPage)
    const start = q.cursor?.[0] ? Number(Buffer.from(q.cursor[0], 'base64url').toString()) : 0
    const slice = rows.slice(start, start + limit)
    const hasNext = start + limit < rows.length
    return { slice, hasNext, cursor: hasNext ? Buffer.from(String(start + limit)).toString('base64url') : '' }
  }

  function accountsJson(q: Record<string, string[]>) {
    const rows = [
      ...[...balances.entries()].map(([c, b]) => ({ c, available: b.available, hold: b.hold, type: c === 'USD' || c === 'EUR' ? 'ACCOUNT_TYPE_FIAT' : 'ACCOUNT_TYPE_CRYPTO' })),
      ...[...vaults.entries()].map(([c, a]) => ({ c, available: a, hold: dec(0), type: 'ACCOUNT_TYPE_VAULT' })),
    ].sort((a, b) => a.c.localeCompare(b.c) || a.type.localeCompare(b.type))
    const { slice, hasNext, cursor } = page(rows, q)
    return {
      accounts: slice.map((r) => ({
        uuid: `acct-${r.c}-${r.type}`, name: `${r.c} Wallet`, currency: r.c, available_balance: { value: s(r.available), currency: r.c },
        default: true, active: true, created_at: iso(0), updated_at: iso(0), deleted_at: null, type: r.type, ready: true,
        hold: { value: s(r.hold), currency: r.c }, retail_portfolio_id: portfolio,
      })),
      has_next: hasNext, cursor, size: slice.length,
    }
  }

  function productJson(p: ProductState) {
    // Coinbase reports the 24 h volume in base units and, approximately, in the quote currency.
    const baseVolume = p.quoteVolume24h ? p.quoteVolume24h.div(p.last).toNearest(p.step, Decimal.ROUND_DOWN) : dec(1000)
    return {
      product_id: p.id, price: s(p.last), price_percentage_change_24h: '0', volume_24h: s(baseVolume), volume_percentage_change_24h: '0',
      approximate_quote_24h_volume: s(p.quoteVolume24h ?? baseVolume.mul(p.last)),
      base_increment: s(p.step), quote_increment: s(p.tick), quote_min_size: s(p.minFunds), quote_max_size: '150000000',
      base_min_size: s(p.minSize), base_max_size: '3400', base_name: p.base, quote_name: p.quote, watched: false, is_disabled: false,
      new: false, status: 'online', cancel_only: false, limit_only: false, post_only: false, trading_disabled: false, auction_mode: false,
      product_type: 'SPOT', quote_currency_id: p.quote, base_currency_id: p.base, fcm_trading_session_details: null, mid_market_price: '',
      alias: '', alias_to: [], base_display_symbol: p.base, quote_display_symbol: p.quote, view_only: false, price_increment: s(p.tick),
      display_name: p.id, product_venue: 'CBE',
    }
  }

  function route(method: string, path: string, q: Record<string, string[]>, body: Record<string, unknown>): unknown {
    const key = `${method} ${path}`
    switch (key) {
      case 'GET /api/v3/brokerage/market/products': {
        // ccxt also asks for FUTURE products (expiring and perpetual): a spot-only account has none.
        const spot = q.product_type?.[0] === undefined || q.product_type[0] === 'SPOT'
        const list = spot ? [...products.values()].map(productJson) : []
        return { products: list, num_products: list.length }
      }
      case 'GET /api/v3/brokerage/transaction_summary':
        return {
          total_volume: 0, total_fees: 0,
          fee_tier: { pricing_tier: 'Advanced 1', usd_from: '0', usd_to: '1000', taker_fee_rate: s(taker), maker_fee_rate: s(maker), aop_from: '', aop_to: '' },
          margin_rate: null, goods_and_services_tax: null, advanced_trade_only_volume: 0, advanced_trade_only_fees: 0, coinbase_pro_volume: 0,
          coinbase_pro_fees: 0, total_balance: '', has_promo_fee: false,
        }
      case 'GET /api/v3/brokerage/accounts':
        return accountsJson(q)
      case 'GET /api/v3/brokerage/key_permissions':
        return { can_view: true, can_trade: permissions.canTrade, can_transfer: permissions.canTransfer, portfolio_uuid: portfolio, portfolio_type: 'DEFAULT' }
      case 'POST /api/v3/brokerage/orders':
        try {
          return createOrder(body)
        } catch (e) {
          if (!(e instanceof OrderRefusal)) throw e
          return {
            success: false, failure_reason: 'UNKNOWN_FAILURE_REASON', order_id: '',
            error_response: { error: e.error, message: e.message, error_details: '', ...(e.preview ? { preview_failure_reason: e.preview } : {}) },
            order_configuration: body.order_configuration ?? null,
          }
        }
      case 'POST /api/v3/brokerage/orders/batch_cancel':
        return batchCancel(body)
      case 'GET /api/v3/brokerage/orders/historical/batch': {
        const statuses = q.order_status ?? []
        const rows = orders
          .filter((o) => (!q.product_ids || q.product_ids.includes(o.product_id)) && (statuses.length === 0 || statuses.includes(o.status)))
          .sort((a, b) => b.created - a.created)
        const { slice, hasNext, cursor } = page(rows, q)
        return { orders: slice.map(orderJson), sequence: '0', has_next: hasNext, cursor }
      }
      case 'GET /api/v3/brokerage/orders/historical/fills': {
        const ids = [...(q.order_ids ?? []), ...(q.order_id ?? [])]
        const from = q.start_sequence_timestamp?.[0] ? Date.parse(q.start_sequence_timestamp[0]) : undefined
        const rows = fills.filter(
          (f) => !f.hidden && (ids.length === 0 || ids.includes(f.order_id)) && (!q.product_ids || q.product_ids.includes(f.product_id)) && (from === undefined || f.time >= from),
        )
        const { slice, cursor } = page(rows, q)
        return { fills: slice.map(fillJson), cursor }
      }
      default: {
        const m = method === 'GET' ? ORDER_BY_ID.exec(path) : null
        if (m) {
          const o = orders.find((x) => x.order_id === decodeURIComponent(m[1]!))
          if (!o) throw new Refusal(404, { error: 'NOT_FOUND', error_details: 'order with this orderID was not found', message: 'order with this orderID was not found' })
          if (o.cancelQueuedReads !== undefined && o.status === 'OPEN') {
            if (o.cancelQueuedReads > 0) o.cancelQueuedReads--
            else cancel(o)
          }
          return { order: orderJson(o) }
        }
        throw new Refusal(404, { error: 'NOT_FOUND', error_details: `no route ${key}`, message: 'Not Found' })
      }
    }
  }

  // ---- authentication -----------------------------------------------------------------------

  /** The JWT's subject when it is a valid ES256 token for this request; a Refusal (401) otherwise. */
  function authenticate(req: IncomingMessage, method: string, path: string): string {
    const unauthorized = new Refusal(401, 'Unauthorized')
    const auth = req.headers.authorization
    if (!auth?.startsWith('Bearer ')) throw unauthorized
    const parts = auth.slice(7).split('.')
    if (parts.length !== 3) throw unauthorized
    const [h, p, sig] = parts as [string, string, string]
    let header: { alg?: string; kid?: string }
    let claims: { sub?: string; iss?: string; aud?: string[]; nbf?: number; exp?: number; uri?: string }
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString())
      claims = JSON.parse(Buffer.from(p, 'base64url').toString())
    } catch {
      throw unauthorized
    }
    if (header.alg !== 'ES256' || header.kid !== opts.apiKey || claims.sub !== opts.apiKey) throw unauthorized
    if (claims.iss !== 'coinbase-cloud' || !claims.aud?.includes('retail_rest_api_proxy')) throw unauthorized
    const okSig = verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'))
    if (!okSig) throw unauthorized
    const t = Math.floor(Date.now() / 1000)
    if (claims.nbf === undefined || claims.exp === undefined || claims.nbf > t + 5 || claims.exp < t) throw unauthorized
    if (claims.uri?.replace(/^(\S+) https?:\/\//, '$1 ') !== `${method} ${req.headers.host}${path}`) throw unauthorized
    return claims.sub
  }

  // ---- protocol -----------------------------------------------------------------------------

  const matches = (m: FakeCoinbaseFaultMatcher, r: FakeCoinbaseRequest) =>
    typeof m === 'function' ? m(r) : (m.method === undefined || m.method === r.method) && (m.path === undefined || m.path === r.path)

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake')
    readBody(req).then((raw) => {
      const method = req.method ?? 'GET'
      const query: Record<string, string[]> = {}
      for (const [k, v] of url.searchParams) (query[k] ??= []).push(v)
      let body: unknown
      try {
        body = raw ? JSON.parse(raw) : undefined
      } catch {
        body = raw
      }
      const record: FakeCoinbaseRequest = { method, path: url.pathname, query, body, keyName: undefined }
      requests.push(record)
      const i = faults.findIndex((f) => matches(f.match, record))
      const fault = i >= 0 ? faults.splice(i, 1)[0]!.fault : undefined
      if (fault?.kind === 'dropBeforeAccept') return void req.socket.destroy()
      if (fault?.kind === 'rateLimited') {
        const headers: Record<string, string> = { 'Content-Type': 'application/json' }
        if (fault.retryAfterSec !== undefined) headers['Retry-After'] = String(fault.retryAfterSec)
        res.writeHead(429, headers)
        return void res.end(JSON.stringify({ error: 'RESOURCE_EXHAUSTED', error_details: 'too many requests', message: 'too many requests' }))
      }
      const execute = !fault || fault.kind !== 'http5xx' || fault.execute
      let status = 200
      let answer: unknown
      if (execute) {
        try {
          const isPublic = PUBLIC_PREFIXES.some((prefix) => url.pathname.startsWith(prefix))
          if (url.pathname.startsWith(PRIVATE_PREFIX) && !isPublic) record.keyName = authenticate(req, method, url.pathname)
          const obj = body && typeof body === 'object' ? (body as Record<string, unknown>) : {}
          answer = route(method, url.pathname, query, obj)
        } catch (e) {
          if (e instanceof Refusal) {
            status = e.status
            answer = e.body
          } else {
            status = 500
            answer = { error: 'INTERNAL', message: `fake-coinbase internal error: ${(e as Error)?.message ?? String(e)}` }
          }
        }
      }
      if (execute) bookChanged()
      if (fault?.kind === 'acceptThenDrop') return void req.socket.destroy()
      if (fault?.kind === 'acceptThenHang') return
      if (fault?.kind === 'http5xx') {
        if (fault.body === 'json') return void send(res, fault.status, { error: 'INTERNAL', error_details: 'upstream failure', message: 'internal error' })
        res.writeHead(fault.status, { 'Content-Type': 'text/html' })
        return void res.end(`<html><body><h1>${fault.status} Bad Gateway</h1></body></html>`)
      }
      if (typeof answer === 'string') {
        res.writeHead(status, { 'Content-Type': 'text/plain' })
        return void res.end(`${answer}\n`)
      }
      send(res, status, answer)
    }, () => req.socket.destroy())
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${address.port}`,
    apiKey: opts.apiKey,
    setPrice(symbol, bid, ask) {
      const p = productOf(symbol)
      const b = dec(bid)
      const a = ask === undefined ? b.plus(p.tick) : dec(ask)
      if (!b.gt(0) || !a.gt(b)) throw new Error(`fake-coinbase: need 0 < bid < ask, got ${bid} / ${a.toFixed()}`)
      p.bid = b
      p.ask = a
      p.last = b
      matchResting(p)
      bookChanged()
    },
    setBalance(currency, available) {
      bal(currency).available = dec(available)
    },
    setLiquidity(symbol, qty) {
      productOf(symbol).liquidity = qty === undefined ? undefined : dec(qty)
    },
    setFillSplit(n) {
      if (!Number.isInteger(n) || n < 1) throw new Error(`fake-coinbase: fill split must be a positive integer, got ${n}`)
      fillSplit = n
    },
    hideNewFills(on) {
      hideFills = on
      if (!on) for (const f of fills) f.hidden = false
    },
    setCancelQueuedReads(n) {
      cancelQueuedReads = n
    },
    setPermissions(p) {
      permissions = { canTrade: p.canTrade ?? permissions.canTrade, canTransfer: p.canTransfer ?? permissions.canTransfer }
    },
    injectFault(match, fault) {
      faults.push({ match, fault })
    },
    requests,
    orders,
    fills,
    balance: (c) => ({ ...bal(c) }),
    onBookChange(listener) {
      bookListeners.add(listener)
      return () => bookListeners.delete(listener)
    },
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      }),
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

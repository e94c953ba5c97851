import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Decimal, dec } from '@/lib/domain/decimal'
import { DEFAULT_FAKE_SYMBOLS, type FakeSymbolSpec } from '@/tests/support/fake-binance'

/**
 * A local HTTP server that speaks Binance's SIGNED spot REST v3 for the real ccxt client, with an
 * in-memory matching book: balances (free/locked), orders, fills. Same shapes as Binance
 * (numbers as 8-decimal strings, `{code,msg}` errors); HMAC-SHA256 signatures and API keys are
 * checked. Tests set prices (stops trigger on touch of `last`, resting limits fill when crossed),
 * inject faults per request, and read every request received.
 *
 * Deliberately modelled trap: a client order id is unique only among OPEN orders — once the first
 * order is filled or canceled the same newClientOrderId is accepted again, as on Binance.
 */

export interface FakeSpotRequest {
  method: string
  path: string
  /** Query and form parameters together, signature excluded. */
  params: Record<string, string>
  apiKey: string | undefined
}

export type FakeSpotFault =
  /** The request is executed, then the socket is destroyed: the client never hears the answer. */
  | { kind: 'acceptThenDrop' }
  /** The request is executed, then no answer ever comes (the client's timeout has to fire). */
  | { kind: 'acceptThenHang' }
  /** -1007 "execution status unknown"; `execute` says whether the order really went through. */
  | { kind: 'status1007'; execute: boolean }
  /** 429 (rate limit) or 418 (IP ban) with Retry-After in seconds; never executed. */
  | { kind: 'rateLimited'; status: 429 | 418; retryAfterSec: number }
  /** A gateway-style 5xx (an HTML page, `page` if given); `execute` says whether the backend processed it. */
  | { kind: 'http5xx'; status: 500 | 502 | 503 | 504; execute: boolean; page?: string }
  /** The socket is destroyed before the request is looked at: nothing executed. */
  | { kind: 'dropBeforeAccept' }

export type FaultMatcher = { method?: string; path?: string } | ((r: FakeSpotRequest) => boolean)

export interface FakeSpotOrder {
  symbol: string
  orderId: number
  orderListId: number
  clientOrderId: string
  price: Decimal
  origQty: Decimal
  executedQty: Decimal
  cummulativeQuoteQty: Decimal
  status: 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED'
  timeInForce: string
  type: string
  side: 'BUY' | 'SELL'
  stopPrice: Decimal
  /** STOP_LOSS_LIMIT / TAKE_PROFIT_LIMIT that has triggered and now rests as a limit. */
  triggered: boolean
  /** Resting orders hold their balance in `locked`; market orders take from `free` directly. */
  locks: boolean
  time: number
  updateTime: number
}

export interface FakeSpotTrade {
  symbol: string
  id: number
  orderId: number
  orderListId: number
  price: Decimal
  qty: Decimal
  quoteQty: Decimal
  commission: Decimal
  commissionAsset: string
  time: number
  isBuyer: boolean
  isMaker: boolean
}

export interface FakeBinanceSpot {
  url: string
  apiKey: string
  secret: string
  /** Sets bid/ask (ask defaults to bid + one tick) and last = bid, then matches resting orders. */
  setPrice(symbol: string, bid: string, ask?: string): void
  setBalance(asset: string, free: string): void
  /** Caps the quantity a taker order can fill at once (partial fills); undefined = unlimited. */
  setLiquidity(symbol: string, qty: string | undefined): void
  /** The 24 h quote volume GET /api/v3/ticker/24hr reports for the symbol. */
  setQuoteVolume(symbol: string, quoteVolume: string): void
  /** Splits every taker fill into this many trades at consecutive ticks (default 1). */
  setFillSplit(n: number): void
  /** What GET /api/v3/account says the key may do (default: trade yes, withdraw no). */
  setPermissions(p: { canTrade?: boolean; canWithdraw?: boolean }): void
  /** Queues a fault for the next request that matches (consumed once). */
  injectFault(match: FaultMatcher, fault: FakeSpotFault): void
  /**
   * Binance's order-count limit: at most `perSecond` new-order requests (POST order, cancelReplace,
   * orderList/oco) accepted in any rolling second; beyond it, 429 -1015 with Retry-After
   * `retryAfterSec` (default 1) and nothing executed. undefined = no limit (the default).
   * exchangeInfo publishes it among its ORDERS limits, as Binance does; a client that read
   * exchangeInfo before it was set knows nothing of it (another client spending the key's budget).
   */
  setOrderRateLimit(limit: { perSecond: number; retryAfterSec?: number } | undefined): void
  requests: FakeSpotRequest[]
  /** New-order requests refused by the order-count limit (setOrderRateLimit), in order. */
  throttled: FakeSpotRequest[]
  orders: FakeSpotOrder[]
  trades: FakeSpotTrade[]
  balance(asset: string): { free: Decimal; locked: Decimal }
  /**
   * Calls `listener` after every change the book may have seen (a request executed, a price set),
   * before the HTTP answer leaves: a user data stream (fake-binance-ws-api) compares `orders` and
   * `trades` with what it last saw. Returns a function that removes the listener.
   */
  onBookChange(listener: () => void): () => void
  /** The HTTP server, so a websocket API can share its port (ccxt's websocket host is derived from the REST host). */
  server: Server
  close(): Promise<void>
}

export interface FakeSpotOptions {
  symbols?: FakeSymbolSpec[]
  apiKey?: string
  secret?: string
  balances?: Record<string, string>
  /** Taker/maker commission rate charged in the received asset (default 0.001 = 0.1 %). */
  commissionRate?: string
  orderTypes?: string[]
  /** The key's permissions as GET /api/v3/account reports them (default: trade yes, withdraw no). */
  permissions?: { canTrade?: boolean; canWithdraw?: boolean }
  /** See FakeBinanceSpot.setOrderRateLimit. */
  orderRateLimit?: { perSecond: number; retryAfterSec?: number }
}

class HttpError extends Error {
  constructor(
    public status: number,
    public code: number,
    msg: string,
    public extra?: Record<string, unknown>,
  ) {
    super(msg)
  }
}

const fmt = (d: Decimal) => d.toFixed(8)
const mandatory = (name: string) => new HttpError(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`)
const OPEN = new Set(['NEW', 'PARTIALLY_FILLED'])

interface SymbolState {
  spec: FakeSymbolSpec
  id: string
  base: string
  quote: string
  tick: Decimal
  step: Decimal
  minQty: Decimal
  minNotional: Decimal
  bid: Decimal
  ask: Decimal
  last: Decimal
  liquidity: Decimal | undefined
}

export async function startFakeBinanceSpot(opts: FakeSpotOptions = {}): Promise<FakeBinanceSpot> {
  const apiKey = opts.apiKey ?? 'fake-api-key-0123456789'
  const secret = opts.secret ?? 'fake-secret-abcdefghijklmnopqrstuvwxyz'
  const commissionRate = dec(opts.commissionRate ?? '0.001')
  const orderTypes = opts.orderTypes ?? ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']
  const bySymbol = new Map<string, SymbolState>()
  for (const spec of opts.symbols ?? DEFAULT_FAKE_SYMBOLS) {
    const [base, quote] = spec.symbol.split('/') as [string, string]
    bySymbol.set(base + quote, {
      spec, id: base + quote, base, quote, tick: dec(spec.tickSize), step: dec(spec.stepSize),
      minQty: dec(spec.minQty ?? spec.stepSize), minNotional: dec(spec.minNotional ?? 0),
      bid: dec(spec.bid), ask: dec(spec.ask), last: dec(spec.bid), liquidity: undefined,
    })
  }
  const balances = new Map<string, { free: Decimal; locked: Decimal }>()
  const bal = (asset: string) => {
    let b = balances.get(asset)
    if (!b) balances.set(asset, (b = { free: dec(0), locked: dec(0) }))
    return b
  }
  for (const [asset, amount] of Object.entries(opts.balances ?? { USDT: '100000', BTC: '1', ETH: '10' })) bal(asset).free = dec(amount)

  const requests: FakeSpotRequest[] = []
  const orders: FakeSpotOrder[] = []
  const trades: FakeSpotTrade[] = []
  const faults: { match: FaultMatcher; fault: FakeSpotFault }[] = []
  let fillSplit = 1
  const bookListeners = new Set<() => void>()
  const bookChanged = () => {
    for (const listener of bookListeners) listener()
  }
  const permissions = { canTrade: opts.permissions?.canTrade ?? true, canWithdraw: opts.permissions?.canWithdraw ?? false }
  let nextOrderId = 1000
  let nextTradeId = 5000
  let nextListId = 1
  /** Order lists by orderListId: their client id (what GET /api/v3/orderList answers with). */
  const lists = new Map<number, { listClientOrderId: string; symbol: string; time: number }>()
  let orderCount10s: number[] = []
  let orderRateLimit = opts.orderRateLimit
  /** Arrival times of new-order requests accepted under the order-count limit (rolling second). */
  let acceptedOrderTimes: number[] = []
  const throttled: FakeSpotRequest[] = []
  const NEW_ORDER_PATHS = new Set(['/api/v3/order', '/api/v3/order/cancelReplace', '/api/v3/orderList/oco'])

  const sym = (id: string | undefined): SymbolState => {
    if (!id) throw mandatory('symbol')
    const s = bySymbol.get(id)
    if (!s) throw new HttpError(400, -1121, 'Invalid symbol.')
    return s
  }
  const symbolOf = (unified: string) => sym(unified.replace('/', '').toUpperCase())

  // ---- the book ---------------------------------------------------------------------------

  /** What an open order holds back: quote for a buy (at its limit price), base for a sell. */
  const lockPrice = (o: Pick<FakeSpotOrder, 'price' | 'stopPrice'>) => (o.price.gt(0) ? o.price : o.stopPrice)
  const lockFor = (o: Pick<FakeSpotOrder, 'side' | 'price' | 'stopPrice' | 'origQty' | 'executedQty'>, s: SymbolState) => {
    const remaining = o.origQty.minus(o.executedQty)
    return o.side === 'BUY' ? { asset: s.quote, amount: remaining.mul(lockPrice(o)) } : { asset: s.base, amount: remaining }
  }

  /** Fills up to `qty` at `price` (split over `fillSplit` trades for takers). Returns the trades. */
  function fill(o: FakeSpotOrder, s: SymbolState, qty: Decimal, price: Decimal, maker: boolean, now: number): FakeSpotTrade[] {
    const pieces: Decimal[] = []
    const n = maker ? 1 : fillSplit
    let left = qty
    for (let i = 0; i < n && left.gt(0); i++) {
      const part = i === n - 1 ? left : qty.div(n).toNearest(s.step, Decimal.ROUND_DOWN)
      if (part.gt(0)) pieces.push(part)
      left = left.minus(part)
    }
    return pieces.map((part, i) => {
      const px = maker ? price : o.side === 'BUY' ? price.plus(s.tick.mul(i)) : price.minus(s.tick.mul(i))
      const quoteQty = part.mul(px)
      const commissionAsset = o.side === 'BUY' ? s.base : s.quote
      const commission = (o.side === 'BUY' ? part : quoteQty).mul(commissionRate).toDecimalPlaces(8, Decimal.ROUND_UP)
      // Balance moves: the spent side comes out of `locked` (it was locked when the order rested).
      if (o.side === 'BUY') {
        if (o.locks) {
          const held = part.mul(lockPrice(o))
          bal(s.quote).locked = bal(s.quote).locked.minus(held)
          bal(s.quote).free = bal(s.quote).free.plus(held.minus(quoteQty))
        } else bal(s.quote).free = bal(s.quote).free.minus(quoteQty)
        bal(s.base).free = bal(s.base).free.plus(part).minus(commission)
      } else {
        if (o.locks) bal(s.base).locked = bal(s.base).locked.minus(part)
        else bal(s.base).free = bal(s.base).free.minus(part)
        bal(s.quote).free = bal(s.quote).free.plus(quoteQty).minus(commission)
      }
      o.executedQty = o.executedQty.plus(part)
      o.cummulativeQuoteQty = o.cummulativeQuoteQty.plus(quoteQty)
      o.updateTime = now
      const t: FakeSpotTrade = {
        symbol: s.id, id: nextTradeId++, orderId: o.orderId, orderListId: o.orderListId, price: px, qty: part, quoteQty,
        commission, commissionAsset, time: now, isBuyer: o.side === 'BUY', isMaker: maker,
      }
      trades.push(t)
      return t
    })
  }

  function release(o: FakeSpotOrder, s: SymbolState) {
    if (!o.locks) return
    const l = lockFor(o, s)
    bal(l.asset).locked = bal(l.asset).locked.minus(l.amount)
    bal(l.asset).free = bal(l.asset).free.plus(l.amount)
  }

  /** Takes liquidity for a crossing order; returns its new trades. */
  function take(o: FakeSpotOrder, s: SymbolState, now: number): FakeSpotTrade[] {
    const remaining = o.origQty.minus(o.executedQty)
    const qty = s.liquidity === undefined ? remaining : Decimal.min(remaining, s.liquidity)
    if (!qty.gt(0)) return []
    if (s.liquidity !== undefined) s.liquidity = s.liquidity.minus(qty)
    const isLimit = o.price.gt(0)
    const px = o.side === 'BUY' ? (isLimit ? Decimal.min(o.price, s.ask) : s.ask) : isLimit ? Decimal.max(o.price, s.bid) : s.bid
    return fill(o, s, qty, px, false, now)
  }

  const crosses = (o: FakeSpotOrder, s: SymbolState) => (o.side === 'BUY' ? s.ask.lte(o.price) : s.bid.gte(o.price))
  const stopTouched = (o: FakeSpotOrder, s: SymbolState) => {
    const stopLoss = o.type.startsWith('STOP_LOSS')
    // A sell stop-loss / buy take-profit triggers on the way down, the others on the way up.
    const down = (o.side === 'SELL') === stopLoss
    return down ? s.last.lte(o.stopPrice) : s.last.gte(o.stopPrice)
  }

  function settleStatus(o: FakeSpotOrder) {
    if (o.executedQty.gte(o.origQty)) o.status = 'FILLED'
    else if (o.executedQty.gt(0)) o.status = 'PARTIALLY_FILLED'
  }

  /** Ends the other leg of an OCO once one leg trades or is canceled. */
  function endSiblings(o: FakeSpotOrder, s: SymbolState, now: number) {
    if (o.orderListId === -1) return
    for (const other of orders) {
      if (other !== o && other.orderListId === o.orderListId && OPEN.has(other.status)) {
        if (o.status === 'CANCELED') other.status = 'CANCELED'
        else other.status = 'EXPIRED'
        other.updateTime = now
        // The list locked its quantity once, on the leg that was released first.
      }
    }
    void s
  }

  function matchResting(s: SymbolState) {
    const now = Date.now()
    for (const o of orders) {
      if (o.symbol !== s.id || !OPEN.has(o.status)) continue
      const isStop = o.type === 'STOP_LOSS_LIMIT' || o.type === 'TAKE_PROFIT_LIMIT' || o.type === 'STOP_LOSS' || o.type === 'TAKE_PROFIT'
      let justTriggered = false
      if (isStop && !o.triggered) {
        if (!stopTouched(o, s)) continue
        o.triggered = justTriggered = true
        if (o.orderListId !== -1) endSiblings(o, s, now)
      }
      const marketLike = o.type === 'STOP_LOSS' || o.type === 'TAKE_PROFIT'
      if (!marketLike && !crosses(o, s)) continue
      const had = o.executedQty
      // A stop that has just triggered meets the book as a taker; a limit that was resting is the maker.
      if (marketLike || justTriggered) take(o, s, now)
      else {
        const remaining = o.origQty.minus(o.executedQty)
        const qty = s.liquidity === undefined ? remaining : Decimal.min(remaining, s.liquidity)
        if (s.liquidity !== undefined) s.liquidity = s.liquidity.minus(qty)
        // A resting limit fills at its own price, as maker.
        if (qty.gt(0)) fill(o, s, qty, o.price, true, now)
      }
      settleStatus(o)
      if (o.executedQty.gt(had) && o.orderListId !== -1) endSiblings(o, s, now)
    }
  }

  // ---- order placement ----------------------------------------------------------------------

  function validate(s: SymbolState, type: string, qty: Decimal, price: Decimal, stopPrice: Decimal, refPrice: Decimal) {
    if (!orderTypes.includes(type)) throw new HttpError(400, -1116, 'Invalid orderType.')
    if (!qty.gt(0)) throw new HttpError(400, -1013, 'Filter failure: LOT_SIZE')
    if (!qty.mod(s.step).isZero() || qty.lt(s.minQty)) throw new HttpError(400, -1013, 'Filter failure: LOT_SIZE')
    for (const p of [price, stopPrice]) {
      if (p.gt(0) && !p.mod(s.tick).isZero()) throw new HttpError(400, -1013, 'Filter failure: PRICE_FILTER')
    }
    if (qty.mul(price.gt(0) ? price : refPrice).lt(s.minNotional)) throw new HttpError(400, -1013, 'Filter failure: NOTIONAL')
  }

  interface NewOrder {
    s: SymbolState
    side: 'BUY' | 'SELL'
    type: string
    qty: Decimal
    price: Decimal
    stopPrice: Decimal
    timeInForce: string
    clientOrderId: string
    orderListId: number
  }

  function parseNewOrder(p: Record<string, string>, prefix = '', listId = -1): NewOrder {
    const s = sym(p.symbol)
    const side = p.side
    if (side !== 'BUY' && side !== 'SELL') throw mandatory('side')
    const type = p[`${prefix}type`] ?? p[prefix ? `${prefix}Type` : 'type']
    if (!type) throw mandatory('type')
    const qtyRaw = p.quantity
    if (!qtyRaw) throw mandatory('quantity')
    const price = dec(p[prefix ? `${prefix}Price` : 'price'] ?? 0)
    const stopPrice = dec(p[prefix ? `${prefix}StopPrice` : 'stopPrice'] ?? 0)
    const tif = p[prefix ? `${prefix}TimeInForce` : 'timeInForce'] ?? ''
    if ((type === 'LIMIT' || type.endsWith('_LIMIT')) && !price.gt(0)) throw mandatory('price')
    if ((type === 'LIMIT' || type.endsWith('_LIMIT')) && !tif) throw mandatory('timeInForce')
    if ((type.startsWith('STOP_LOSS') || type.startsWith('TAKE_PROFIT')) && !stopPrice.gt(0)) throw mandatory('stopPrice')
    const cid = p[prefix ? `${prefix}ClientOrderId` : 'newClientOrderId'] ?? `fake-${nextOrderId}`
    return { s, side, type, qty: dec(qtyRaw), price, stopPrice, timeInForce: tif, clientOrderId: cid, orderListId: listId }
  }

  /** Validates, locks, creates and (for takers) executes; returns the order and its new trades. */
  function newOrder(n: NewOrder, now: number, lock = true): { order: FakeSpotOrder; fills: FakeSpotTrade[] } {
    const { s } = n
    const ref = n.side === 'BUY' ? s.ask : s.bid
    validate(s, n.type, n.qty, n.price, n.stopPrice, ref)
    if (orders.some((o) => o.clientOrderId === n.clientOrderId && OPEN.has(o.status))) {
      throw new HttpError(400, -2010, 'Duplicate order sent.')
    }
    const isStop = n.type !== 'LIMIT' && n.type !== 'MARKET' && n.type !== 'LIMIT_MAKER'
    if (isStop) {
      const probe = { type: n.type, side: n.side, stopPrice: n.stopPrice } as FakeSpotOrder
      // Binance answers -2010 with this text; ccxt maps it to OrderImmediatelyFillable.
      if (stopTouched(probe, s)) throw new HttpError(400, -2010, 'Stop price would trigger immediately.')
    }
    if (n.type === 'LIMIT_MAKER' && crosses({ side: n.side, price: n.price } as FakeSpotOrder, s)) {
      throw new HttpError(400, -2010, 'Order would immediately match and take.')
    }
    const order: FakeSpotOrder = {
      symbol: s.id, orderId: nextOrderId++, orderListId: n.orderListId, clientOrderId: n.clientOrderId,
      price: n.price, origQty: n.qty, executedQty: dec(0), cummulativeQuoteQty: dec(0), status: 'NEW',
      timeInForce: n.type === 'MARKET' ? 'GTC' : n.timeInForce || 'GTC', type: n.type, side: n.side, stopPrice: n.stopPrice, triggered: false,
      locks: n.type !== 'MARKET', time: now, updateTime: now,
    }
    const need = order.locks ? lockFor(order, s) : n.side === 'BUY' ? { asset: s.quote, amount: n.qty.mul(s.ask.plus(s.tick.mul(fillSplit))) } : { asset: s.base, amount: n.qty }
    const b = bal(need.asset)
    // An OCO's second leg shares the first leg's lock (one quantity for the list).
    if ((lock || !order.locks) && b.free.lt(need.amount)) throw new HttpError(400, -2010, 'Account has insufficient balance for requested action.')
    if (lock && order.locks) {
      b.free = b.free.minus(need.amount)
      b.locked = b.locked.plus(need.amount)
    }
    orders.push(order)
    orderCount10s.push(now)
    let fills: FakeSpotTrade[] = []
    if (n.type === 'MARKET' || (n.type === 'LIMIT' && crosses(order, s))) {
      fills = take(order, s, now)
      settleStatus(order)
      // A market order that ran out of liquidity expires with what it got.
      if (n.type === 'MARKET' && order.executedQty.lt(order.origQty)) order.status = 'EXPIRED'
    }
    return { order, fills }
  }

  const orderJson = (o: FakeSpotOrder) => ({
    symbol: o.symbol, orderId: o.orderId, orderListId: o.orderListId, clientOrderId: o.clientOrderId,
    price: fmt(o.price), origQty: fmt(o.origQty), executedQty: fmt(o.executedQty), cummulativeQuoteQty: fmt(o.cummulativeQuoteQty),
    status: o.status, timeInForce: o.timeInForce, type: o.type, side: o.side, stopPrice: fmt(o.stopPrice), icebergQty: '0.00000000',
    time: o.time, updateTime: o.updateTime, isWorking: !o.type.startsWith('STOP') && !o.type.startsWith('TAKE') ? true : o.triggered,
    workingTime: o.time, origQuoteOrderQty: '0.00000000', selfTradePreventionMode: 'EXPIRE_MAKER',
  })
  const fullJson = (o: FakeSpotOrder, fills: FakeSpotTrade[]) => {
    const { time: _t, updateTime: _u, isWorking: _w, icebergQty: _i, ...rest } = orderJson(o)
    return {
      ...rest,
      transactTime: o.updateTime,
      fills: fills.map((f) => ({ price: fmt(f.price), qty: fmt(f.qty), commission: fmt(f.commission), commissionAsset: f.commissionAsset, tradeId: f.id })),
    }
  }
  const tradeJson = (t: FakeSpotTrade) => ({
    symbol: t.symbol, id: t.id, orderId: t.orderId, orderListId: t.orderListId, price: fmt(t.price), qty: fmt(t.qty), quoteQty: fmt(t.quoteQty),
    commission: fmt(t.commission), commissionAsset: t.commissionAsset, time: t.time, isBuyer: t.isBuyer, isMaker: t.isMaker, isBestMatch: true,
  })

  function findOrder(p: Record<string, string>, code: number, msg: string): FakeSpotOrder {
    const s = sym(p.symbol)
    const byId = p.orderId
    const byCid = p.origClientOrderId
    if (!byId && !byCid) throw new HttpError(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!")
    // With a reused client id, the open one wins, else the latest (Binance answers one order).
    const candidates = orders.filter((o) => o.symbol === s.id && (byId ? String(o.orderId) === byId : o.clientOrderId === byCid))
    const found = candidates.find((o) => OPEN.has(o.status)) ?? candidates[candidates.length - 1]
    if (!found) throw new HttpError(400, code, msg)
    return found
  }

  function cancel(o: FakeSpotOrder, now: number) {
    const s = sym(o.symbol)
    if (!OPEN.has(o.status)) throw new HttpError(400, -2011, 'Unknown order sent.')
    release(o, s)
    o.status = 'CANCELED'
    o.updateTime = now
    if (o.orderListId !== -1) endSiblings(o, s, now)
  }

  function ocoPlace(p: Record<string, string>, now: number) {
    const listId = nextListId++
    const above = parseNewOrder(p, 'above', listId)
    const below = parseNewOrder(p, 'below', listId)
    if (p.listClientOrderId === undefined) p.listClientOrderId = `fake-list-${listId}`
    lists.set(listId, { listClientOrderId: p.listClientOrderId, symbol: above.s.id, time: now })
    // One quantity, locked once for both legs.
    const first = newOrder(above, now, true)
    let second
    try {
      second = newOrder(below, now, false)
    } catch (e) {
      cancel(first.order, now)
      orders.splice(orders.indexOf(first.order), 1)
      throw e
    }
    const legs = [first.order, second.order]
    return {
      orderListId: listId, contingencyType: 'OCO', listStatusType: 'EXEC_STARTED', listOrderStatus: 'EXECUTING',
      listClientOrderId: p.listClientOrderId, transactionTime: now, symbol: above.s.id,
      orders: legs.map((o) => ({ symbol: o.symbol, orderId: o.orderId, clientOrderId: o.clientOrderId })),
      orderReports: legs.map((o) => fullJson(o, [])),
    }
  }

  function ocoCancel(p: Record<string, string>, now: number) {
    const s = sym(p.symbol)
    const listId = p.orderListId ? Number(p.orderListId) : undefined
    const legs = orders.filter((o) => o.symbol === s.id && o.orderListId !== -1 && (listId !== undefined ? o.orderListId === listId : false))
    const open = legs.filter((o) => OPEN.has(o.status))
    if (open.length === 0) throw new HttpError(400, -2011, 'Unknown order sent.')
    release(open[0]!, s)
    for (const o of legs) if (OPEN.has(o.status)) { o.status = 'CANCELED'; o.updateTime = now }
    return {
      orderListId: legs[0]!.orderListId, contingencyType: 'OCO', listStatusType: 'ALL_DONE', listOrderStatus: 'ALL_DONE',
      listClientOrderId: lists.get(legs[0]!.orderListId)?.listClientOrderId ?? '', transactionTime: now, symbol: s.id,
      orders: legs.map((o) => ({ symbol: o.symbol, orderId: o.orderId, clientOrderId: o.clientOrderId })),
      orderReports: legs.map((o) => orderJson(o)),
    }
  }

  /** GET /api/v3/orderList: one list by orderListId or origClientOrderId (no symbol), as Binance shapes it. */
  function orderList(p: Record<string, string>) {
    const byId = p.orderListId !== undefined ? Number(p.orderListId) : undefined
    if (byId === undefined && p.origClientOrderId === undefined) throw new HttpError(400, -1102, "Param 'origClientOrderId' or 'orderListId' must be sent, but both were empty/null!")
    const entry = [...lists.entries()].find(([id, l]) => (byId !== undefined ? id === byId : l.listClientOrderId === p.origClientOrderId))
    if (!entry) throw new HttpError(400, -2013, 'Order list does not exist.')
    const [id, l] = entry
    const legs = orders.filter((o) => o.orderListId === id)
    const done = !legs.some((o) => OPEN.has(o.status))
    return {
      orderListId: id, contingencyType: 'OCO', listStatusType: done ? 'ALL_DONE' : 'EXEC_STARTED', listOrderStatus: done ? 'ALL_DONE' : 'EXECUTING',
      listClientOrderId: l.listClientOrderId, transactionTime: l.time, symbol: l.symbol,
      orders: legs.map((o) => ({ symbol: o.symbol, orderId: o.orderId, clientOrderId: o.clientOrderId })),
    }
  }

  function cancelReplace(p: Record<string, string>, now: number) {
    const mode = p.cancelReplaceMode
    if (mode !== 'STOP_ON_FAILURE' && mode !== 'ALLOW_FAILURE') throw mandatory('cancelReplaceMode')
    let cancelResponse: unknown
    try {
      const o = findOrder({ symbol: p.symbol!, orderId: p.cancelOrderId!, origClientOrderId: p.cancelOrigClientOrderId! }, -2011, 'Unknown order sent.')
      cancel(o, now)
      cancelResponse = { ...orderJson(o), origClientOrderId: o.clientOrderId }
    } catch (e) {
      if (!(e instanceof HttpError)) throw e
      const failure = { code: e.code, msg: e.message }
      if (mode === 'STOP_ON_FAILURE') {
        throw new HttpError(400, -2022, 'Order cancel-replace failed.', { data: { cancelResult: 'FAILURE', newOrderResult: 'NOT_ATTEMPTED', cancelResponse: failure, newOrderResponse: null } })
      }
      cancelResponse = failure
    }
    try {
      const { order, fills } = newOrder(parseNewOrder(p), now)
      return { cancelResult: 'SUCCESS', newOrderResult: 'SUCCESS', cancelResponse, newOrderResponse: fullJson(order, fills) }
    } catch (e) {
      if (!(e instanceof HttpError)) throw e
      // Canceled but not replaced: partial success, HTTP 409.
      throw new HttpError(409, -2021, 'Order cancel-replace partially failed.', {
        data: { cancelResult: 'SUCCESS', newOrderResult: 'FAILURE', cancelResponse, newOrderResponse: { code: e.code, msg: e.message } },
      })
    }
  }

  // ---- protocol -----------------------------------------------------------------------------

  const symbolInfo = (s: SymbolState) => ({
    symbol: s.id, status: 'TRADING', baseAsset: s.base, baseAssetPrecision: 8, quoteAsset: s.quote, quotePrecision: 8, quoteAssetPrecision: 8,
    baseCommissionPrecision: 8, quoteCommissionPrecision: 8, orderTypes, icebergAllowed: true, ocoAllowed: true, otoAllowed: true,
    quoteOrderQtyMarketAllowed: true, allowTrailingStop: true, cancelReplaceAllowed: true, amendAllowed: true, isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: fmt(s.tick), maxPrice: '1000000.00000000', tickSize: fmt(s.tick) },
      { filterType: 'LOT_SIZE', minQty: fmt(s.minQty), maxQty: '9000.00000000', stepSize: fmt(s.step) },
      s.spec.notionalFilter === 'MIN_NOTIONAL'
        ? { filterType: 'MIN_NOTIONAL', minNotional: fmt(s.minNotional), applyToMarket: true, avgPriceMins: 5 }
        : { filterType: 'NOTIONAL', minNotional: fmt(s.minNotional), applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
      { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
      { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
    ],
    permissions: [], permissionSets: [['SPOT']], defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  })

  const SIGNED = new Set(['/api/v3/order', '/api/v3/openOrders', '/api/v3/myTrades', '/api/v3/account', '/api/v3/orderList/oco', '/api/v3/orderList', '/api/v3/order/cancelReplace', '/api/v3/allOrders'])

  function authenticate(method: string, path: string, raw: string, p: Record<string, string>, key: string | undefined) {
    if (!SIGNED.has(path)) return
    if (!key) throw new HttpError(401, -2014, 'API-key format invalid.')
    if (key !== apiKey) throw new HttpError(401, -2015, 'Invalid API-key, IP, or permissions for action.')
    const sigMatch = /(?:^|&)signature=([0-9a-fA-F]+)(?=&|$)/.exec(raw)
    if (!sigMatch) throw new HttpError(400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.")
    // Binance signs the payload exactly as sent, minus the signature parameter.
    const payload = raw.replace(/(^|&)signature=[0-9a-fA-F]+/, '').replace(/^&/, '')
    const want = createHmac('sha256', secret).update(payload).digest()
    const got = Buffer.from(sigMatch[1]!, 'hex')
    if (got.length !== want.length || !timingSafeEqual(got, want)) throw new HttpError(400, -1022, 'Signature for this request is not valid.')
    const ts = Number(p.timestamp)
    const recvWindow = Number(p.recvWindow ?? 5000)
    if (!Number.isFinite(ts)) throw mandatory('timestamp')
    if (ts > Date.now() + 1000 || Date.now() - ts > recvWindow) throw new HttpError(400, -1021, 'Timestamp for this request is outside of the recvWindow.')
    void method
  }

  function route(method: string, path: string, p: Record<string, string>): unknown {
    const now = Date.now()
    const key = `${method} ${path}`
    switch (key) {
      case 'GET /api/v3/ping':
        return {}
      case 'GET /api/v3/time':
        return { serverTime: now }
      case 'GET /api/v3/exchangeInfo':
        return {
          timezone: 'UTC', serverTime: now,
          rateLimits: [
            { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
            { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
            // The order-count limit set on this server, as Binance publishes the key's ORDERS limits.
            ...(orderRateLimit ? [{ rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 1, limit: orderRateLimit.perSecond }] : []),
            { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
            { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
          ],
          exchangeFilters: [],
          symbols: [...bySymbol.values()].filter((s) => !p.symbol || s.id === p.symbol).map(symbolInfo),
        }
      case 'GET /api/v3/ticker/price': {
        const list = p.symbol ? [sym(p.symbol)] : [...bySymbol.values()]
        const out = list.map((s) => ({ symbol: s.id, price: fmt(s.last) }))
        return p.symbol ? out[0] : out
      }
      case 'GET /api/v3/ticker/24hr': {
        // What ranking by volume reads (the top-N universe): the symbol's quoteVolume as its spec
        // sets it (else none traded: 0), and a base volume at the last price.
        const list = p.symbol ? [sym(p.symbol)] : [...bySymbol.values()]
        const out = list.map((s) => {
          const quoteVolume = dec(s.spec.quoteVolume ?? 0)
          return {
            symbol: s.id, priceChange: '0.00000000', priceChangePercent: '0.000', weightedAvgPrice: fmt(s.last), prevClosePrice: fmt(s.last),
            lastPrice: fmt(s.last), lastQty: fmt(s.step), bidPrice: fmt(s.bid), bidQty: '10.00000000', askPrice: fmt(s.ask), askQty: '10.00000000',
            openPrice: fmt(s.last), highPrice: fmt(s.ask), lowPrice: fmt(s.bid), volume: fmt(quoteVolume.div(s.last).toNearest(s.step, Decimal.ROUND_DOWN)),
            quoteVolume: fmt(quoteVolume), openTime: now - 86_400_000, closeTime: now, firstId: 1, lastId: 1, count: 1,
          }
        })
        return p.symbol ? out[0] : out
      }
      case 'GET /api/v3/ticker/bookTicker': {
        const list = p.symbol ? [sym(p.symbol)] : [...bySymbol.values()]
        const out = list.map((s) => ({ symbol: s.id, bidPrice: fmt(s.bid), bidQty: '10.00000000', askPrice: fmt(s.ask), askQty: '10.00000000' }))
        return p.symbol ? out[0] : out
      }
      case 'POST /api/v3/order': {
        const { order, fills } = newOrder(parseNewOrder(p), now)
        const resp = p.newOrderRespType ?? 'FULL'
        if (resp === 'ACK') return { symbol: order.symbol, orderId: order.orderId, orderListId: -1, clientOrderId: order.clientOrderId, transactTime: now }
        const full = fullJson(order, fills)
        if (resp === 'RESULT') {
          const { fills: _f, ...result } = full
          return result
        }
        return full
      }
      case 'GET /api/v3/order':
        return orderJson(findOrder(p, -2013, 'Order does not exist.'))
      case 'DELETE /api/v3/order': {
        const o = findOrder(p, -2011, 'Unknown order sent.')
        cancel(o, now)
        return { ...orderJson(o), origClientOrderId: o.clientOrderId, clientOrderId: p.newClientOrderId ?? `cancel-${o.orderId}`, transactTime: now }
      }
      case 'GET /api/v3/openOrders': {
        const s = p.symbol ? sym(p.symbol) : undefined
        return orders.filter((o) => OPEN.has(o.status) && (!s || o.symbol === s.id)).map(orderJson)
      }
      case 'GET /api/v3/allOrders': {
        const s = sym(p.symbol)
        return orders.filter((o) => o.symbol === s.id).map(orderJson)
      }
      case 'GET /api/v3/myTrades': {
        const s = sym(p.symbol)
        // Oldest first from startTime / fromId, at most `limit` (default 500, at most 1000), as Binance pages them.
        const limit = Math.min(Number(p.limit ?? 500), 1000)
        return trades
          .filter((t) => t.symbol === s.id && (!p.orderId || String(t.orderId) === p.orderId))
          .filter((t) => (!p.startTime || t.time >= Number(p.startTime)) && (!p.endTime || t.time <= Number(p.endTime)) && (!p.fromId || t.id >= Number(p.fromId)))
          .slice(0, limit)
          .map(tradeJson)
      }
      case 'GET /api/v3/account':
        return {
          makerCommission: 10, takerCommission: 10, buyerCommission: 0, sellerCommission: 0,
          commissionRates: { maker: fmt(commissionRate), taker: fmt(commissionRate), buyer: '0.00000000', seller: '0.00000000' },
          canTrade: permissions.canTrade, canWithdraw: permissions.canWithdraw, canDeposit: false, brokered: false, requireSelfTradePrevention: false, preventSor: false,
          updateTime: now, accountType: 'SPOT', uid: 1,
          balances: [...balances.entries()].map(([asset, b]) => ({ asset, free: fmt(b.free), locked: fmt(b.locked) })),
          permissions: ['SPOT'],
        }
      case 'POST /api/v3/orderList/oco':
        return ocoPlace(p, now)
      case 'GET /api/v3/orderList':
        return orderList(p)
      case 'DELETE /api/v3/orderList':
        return ocoCancel(p, now)
      case 'POST /api/v3/order/cancelReplace':
        return cancelReplace(p, now)
      default:
        throw new HttpError(404, -1000, `Unknown path ${key}`)
    }
  }

  const matches = (m: FaultMatcher, r: FakeSpotRequest) =>
    typeof m === 'function' ? m(r) : (m.method === undefined || m.method === r.method) && (m.path === undefined || m.path === r.path)

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake')
    readBody(req).then((body) => {
      const method = req.method ?? 'GET'
      const raw = [url.search.replace(/^\?/, ''), body].filter(Boolean).join('&')
      const params: Record<string, string> = {}
      for (const [k, v] of new URLSearchParams(raw)) if (k !== 'signature') params[k] = v
      const header = req.headers['x-mbx-apikey']
      const record: FakeSpotRequest = { method, path: url.pathname, params, apiKey: Array.isArray(header) ? header[0] : header }
      requests.push(record)
      const i = faults.findIndex((f) => matches(f.match, record))
      const fault = i >= 0 ? faults.splice(i, 1)[0]!.fault : undefined
      if (fault?.kind === 'dropBeforeAccept') return void req.socket.destroy()
      if (fault?.kind === 'rateLimited') {
        const text = JSON.stringify({ code: -1003, msg: `Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.` })
        res.writeHead(fault.status, { 'Content-Type': 'application/json;charset=UTF-8', 'Retry-After': String(fault.retryAfterSec) })
        return void res.end(text)
      }
      if (orderRateLimit && method === 'POST' && NEW_ORDER_PATHS.has(url.pathname)) {
        const at = Date.now()
        acceptedOrderTimes = acceptedOrderTimes.filter((t) => t > at - 1000)
        if (acceptedOrderTimes.length >= orderRateLimit.perSecond) {
          throttled.push(record)
          const text = JSON.stringify({ code: -1015, msg: `Too many new orders; current limit is ${orderRateLimit.perSecond} orders per SECOND.` })
          res.writeHead(429, { 'Content-Type': 'application/json;charset=UTF-8', 'Retry-After': String(orderRateLimit.retryAfterSec ?? 1) })
          return void res.end(text)
        }
        acceptedOrderTimes.push(at)
      }
      const execute = !fault || !('execute' in fault) || fault.execute
      let status = 200
      let answer: unknown
      if (execute) {
        try {
          authenticate(method, url.pathname, raw, params, record.apiKey)
          answer = route(method, url.pathname, params)
        } catch (e) {
          if (e instanceof HttpError) {
            status = e.status
            answer = { code: e.code, msg: e.message, ...e.extra }
          } else {
            status = 500
            answer = { code: -1000, msg: `fake-binance-spot internal error: ${(e as Error)?.message ?? String(e)}` }
          }
        }
        bookChanged()
      }
      if (fault?.kind === 'acceptThenDrop') return void req.socket.destroy()
      if (fault?.kind === 'acceptThenHang') return
      if (fault?.kind === 'status1007') {
        return void send(res, 503, { code: -1007, msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.' })
      }
      if (fault?.kind === 'http5xx') {
        res.writeHead(fault.status, { 'Content-Type': 'text/html' })
        return void res.end(fault.page ?? `<html><body><h1>${fault.status} Bad Gateway</h1></body></html>`)
      }
      orderCount10s = orderCount10s.filter((t) => t > Date.now() - 10_000)
      send(res, status, answer, { 'X-MBX-USED-WEIGHT-1M': String(requests.length), 'X-MBX-ORDER-COUNT-10S': String(orderCount10s.length) })
    }, () => req.socket.destroy())
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${address.port}`,
    apiKey,
    secret,
    setPrice(symbol, bid, ask) {
      const s = symbolOf(symbol)
      const b = dec(bid)
      const a = ask === undefined ? b.plus(s.tick) : dec(ask)
      if (!b.gt(0) || !a.gt(b)) throw new Error(`fake-binance-spot: need 0 < bid < ask, got ${bid} / ${a.toFixed()}`)
      s.bid = b
      s.ask = a
      s.last = b
      matchResting(s)
      bookChanged()
    },
    setBalance(asset, free) {
      bal(asset).free = dec(free)
    },
    setLiquidity(symbol, qty) {
      symbolOf(symbol).liquidity = qty === undefined ? undefined : dec(qty)
    },
    setQuoteVolume(symbol, quoteVolume) {
      const s = symbolOf(symbol)
      s.spec = { ...s.spec, quoteVolume }
    },
    setPermissions(p) {
      if (p.canTrade !== undefined) permissions.canTrade = p.canTrade
      if (p.canWithdraw !== undefined) permissions.canWithdraw = p.canWithdraw
    },
    setFillSplit(n) {
      if (!Number.isInteger(n) || n < 1) throw new Error(`fake-binance-spot: fill split must be a positive integer, got ${n}`)
      fillSplit = n
    },
    injectFault(match, fault) {
      faults.push({ match, fault })
    },
    setOrderRateLimit(limit) {
      if (limit && (!Number.isInteger(limit.perSecond) || limit.perSecond < 1)) throw new Error(`fake-binance-spot: perSecond must be a positive integer, got ${limit.perSecond}`)
      orderRateLimit = limit
      acceptedOrderTimes = []
    },
    requests,
    throttled,
    orders,
    trades,
    balance: (asset) => ({ ...bal(asset) }),
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

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(text), ...headers })
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

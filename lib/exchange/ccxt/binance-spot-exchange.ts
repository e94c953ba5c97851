import ccxt, { type MarketInterface } from 'ccxt'
import { z } from 'zod'
import { dec, type Decimal } from '@/lib/domain/decimal'
import type { MarketRules } from '@/lib/domain/market/precision'
import type { VolumeTicker } from '@/lib/domain/market/top-by-volume'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import { stopLimitOffsetOf, stopLimitPrice } from '@/lib/domain/market/stop-limit'
import { refusedReport, VenueBackOff } from './venue-back-off'
import type { Balance, ConnectionCheck, ExchangeCapabilities, ExchangePort, OrderLookupHint, OrderReport, OrderStreamHandlers, PlaceOcoRequest, PlaceOrderRequest } from '@/lib/exchange/port'
import { BinanceOrderStream } from './binance-order-stream'
import { OrderRateGate, orderLimitsFromBinance } from './order-rate-gate'
import {
  fillsFromFullResponse,
  fillsFromTrades,
  orderReportFromBinance,
  type BinanceRawOrder,
  type BinanceRawTrade,
} from './order-report-from-binance'
import type { ExchangeOrderFacts, OpenOrderReport, RecentFill } from '@/lib/exchange/port'
import { binanceOrderListId, openOrderFromBinance, orderFactsFromBinance, ZBinanceOrderList } from './open-order-from-binance'
import { normaliseBaseUrl, rewriteHosts } from './rest-base-url'
import { classifyCcxtError, rejectReasonOf, translateCcxtError } from './translate-ccxt-error'
import { volumeTickers } from './volume-tickers'

export interface BinanceSpotExchangeOptions {
  accountId: string
  apiKey: string
  secret: string
  /** Replaces the REST host(s), keeping the paths (as MARKET_DATA_URL does for the feed). */
  baseUrl?: string
  /** Binance's spot testnet (ccxt's sandbox URLs); applied before baseUrl. */
  sandbox?: boolean
  timeoutMs?: number
  /**
   * How far beyond the trigger the limit of a stop goes (STOP_MARKET is sent as STOP_LOSS_LIMIT,
   * as freqtrade does): 0.01 = 1 %, freqtrade's default ratio of 0.99.
   */
  stopLimitOffset?: Decimal
  /** Stay-away when a 429/418 carries no Retry-After. */
  defaultRetryAfterMs?: number
}

/**
 * ccxt options (checked in ccxt 4.5.84 binance.js) that keep loadMarkets on GET
 * /api/v3/exchangeInfo: without them, with keys set, it also calls sapi capital/config/getall
 * (fetchCurrencies) and margin/allPairs (fetchMargins), and fapi/dapi exchangeInfo — none of
 * which exist on the spot testnet.
 */
const SPOT_ONLY = { defaultType: 'spot', fetchMarkets: { types: ['spot'] }, fetchMargins: false, fetchCurrencies: false }

/**
 * Binance spot through the real ccxt `binance` class. Every outcome is classified once, here:
 * a report (confirmed), a REJECTED report (the exchange refused), or an ExchangeError whose kind
 * says retryable (not executed), rejected, or unknown (may have executed: look it up, never
 * re-send). There is deliberately no retry or resend path in this class.
 */
export class BinanceSpotExchange implements ExchangePort {
  readonly accountId: string
  readonly capabilities: ExchangeCapabilities
  private readonly exchange: InstanceType<typeof ccxt.binance>
  private readonly stopLimitOffset: Decimal
  private readonly backOff: VenueBackOff
  /** Symbols of orders placed through this instance; callers that restarted pass a hint instead. */
  private readonly symbolByClientId = new Map<string, string>()
  private marketsFailed = false
  private readonly stream: BinanceOrderStream
  /** Binance's ORDERS limits (read with the markets from exchangeInfo), kept by spacing new orders. */
  private readonly orderGate = new OrderRateGate('Binance')
  /** An order list's client id never changes: read once per list. */
  private readonly listClientOrderIds = new Map<number, string>()

  constructor(opts: BinanceSpotExchangeOptions) {
    this.accountId = opts.accountId
    this.stopLimitOffset = stopLimitOffsetOf(opts.stopLimitOffset)
    this.capabilities = { shortSelling: false, nativeStop: true, stopLimitOffset: this.stopLimitOffset, oco: true, cancelReplace: true }
    this.backOff = new VenueBackOff('Binance', opts.defaultRetryAfterMs, [429, 418])
    this.exchange = new ccxt.binance({
      apiKey: opts.apiKey,
      secret: opts.secret,
      timeout: opts.timeoutMs ?? 10_000,
      enableRateLimit: true,
      options: { ...SPOT_ONLY },
    })
    if (opts.sandbox) this.exchange.setSandboxMode(true)
    const baseUrl = opts.baseUrl !== undefined ? normaliseBaseUrl(opts.baseUrl, 'Binance') : undefined
    if (baseUrl !== undefined) this.exchange.urls['api'] = rewriteHosts(this.exchange.urls['api'], baseUrl)
    // The private stream: same keys, same hosts (its websocket on the REST host), same markets.
    this.stream = new BinanceOrderStream({
      apiKey: opts.apiKey,
      secret: opts.secret,
      sandbox: opts.sandbox === true,
      baseUrl,
      options: { ...SPOT_ONLY },
      restWithMarkets: async () => {
        await this.loadMarkets()
        return this.exchange
      },
    })
    // Retry-After is only in the headers, which ccxt's DDoSProtection error does not carry: note it
    // on this instance as the answer arrives. A 429/418 bans the key/IP, not one request, so every
    // later call waits it out (see guard) instead of hammering.
    this.backOff.watch(this.exchange)
    // The order-count limits come with exchangeInfo, which loadMarkets reads anyway: take them
    // from that answer rather than asking again.
    const exchangeInfo = this.exchange.publicGetExchangeInfo.bind(this.exchange)
    this.exchange.publicGetExchangeInfo = async (params?: object) => {
      const info = (await exchangeInfo(params)) as { rateLimits?: unknown }
      this.orderGate.setLimits(orderLimitsFromBinance(info.rateLimits))
      return info
    }
  }

  async marketRules(symbol: string): Promise<MarketRules> {
    return rulesFromBinanceMarket(await this.market(symbol))
  }

  /**
   * The order as ccxt will send it, checked against the market first: quantities and prices go
   * out exactly as asked or the order is refused here (a REJECTED report, nothing sent).
   */
  private async prepare(req: PlaceOrderRequest): Promise<PreparedOrder | OrderReport> {
    const rejected = (reason: string) => refusedReport(req, reason)
    let market: MarketInterface
    try {
      market = await this.market(req.symbol)
    } catch (e) {
      if (e instanceof ExchangeError && e.kind === 'rejected') return rejected(e.message)
      throw e
    }
    const rules = rulesFromBinanceMarket(market)
    const symbol = market.symbol
    // Quantities and prices go out exactly as asked or not at all: a silent rounding here would
    // change the risk the caller sized. ccxt's *ToPrecision formats them; equality proves the grid.
    const offGrid = `quantity ${req.qty.toFixed()} is not on the step grid ${rules.stepSize.toFixed()} of ${symbol}`
    let qty: string
    try {
      qty = String(this.exchange.amountToPrecision(symbol, req.qty.toFixed())) // throws InvalidOrder when it truncates to 0
    } catch {
      return rejected(offGrid)
    }
    if (!dec(qty).eq(req.qty)) return rejected(offGrid)
    const onTick = (p: Decimal, name: string) => {
      const s = String(this.exchange.priceToPrecision(symbol, p.toFixed()))
      if (!dec(s).eq(p)) throw new Error(`${name} ${p.toFixed()} is not on the tick grid ${rules.tickSize.toFixed()} of ${symbol}`)
      return s
    }
    const params: Record<string, unknown> = { clientOrderId: req.clientOrderId, newOrderRespType: 'FULL' }
    let type: 'market' | 'limit'
    let price: string | undefined
    let trigger: string | undefined
    try {
      if (req.type === 'MARKET') {
        type = 'market'
      } else if (req.type === 'LIMIT') {
        if (!req.price?.gt(0)) return rejected('LIMIT order needs a positive price')
        type = 'limit'
        price = onTick(req.price, 'price')
        params.timeInForce = 'GTC'
      } else {
        if (!req.triggerPrice?.gt(0)) return rejected('STOP_MARKET order needs a positive trigger price')
        trigger = onTick(req.triggerPrice, 'trigger price')
        const limit = stopLimitPrice(req.triggerPrice, req.side, this.stopLimitOffset, rules.tickSize)
        if (!limit.gt(0)) return rejected(`stop limit price ${limit.toFixed()} is not positive`)
        type = 'limit'
        price = limit.toFixed()
        params.stopLossPrice = trigger // ccxt sends STOP_LOSS_LIMIT with stopPrice, after checking orderTypes
        params.timeInForce = 'GTC'
      }
    } catch (e) {
      return rejected((e as Error).message)
    }
    return { symbol, type, price, qty, trigger, params }
  }

  async placeOrder(req: PlaceOrderRequest): Promise<OrderReport> {
    const prepared = await this.prepare(req)
    if ('status' in prepared) return prepared
    const { symbol, type, price, qty, params } = prepared
    this.guard()
    this.symbolByClientId.set(req.clientOrderId, symbol)
    let raw: BinanceRawOrder
    try {
      // ccxt's typings say number; strings are what its *ToPrecision expect and keep the value exact.
      const order = await this.orderGate.run(() =>
        this.exchange.createOrder(symbol, type, req.side === 'BUY' ? 'buy' : 'sell', qty as unknown as number, price as unknown as number, params),
      )
      raw = order.info as BinanceRawOrder
    } catch (e) {
      if (e instanceof ExchangeError) throw e // the order-rate gate: nothing sent
      const outcome = classifyCcxtError(e)
      if (outcome === 'rejected' || outcome === 'not-found') return refusedReport(req, rejectReasonOf(e))
      throw translateCcxtError(e, `place ${req.clientOrderId} on Binance`, { mayHaveExecuted: true, retryAfterMs: this.retryAfterMs() })
    }
    return orderReportFromBinance(raw, fillsFromFullResponse(raw))
  }

  /**
   * POST /api/v3/orderList/oco: the target as LIMIT_MAKER (refused rather than taking, so it
   * only ever rests) and the stop as the STOP_LOSS_LIMIT placeOrder would send, one quantity.
   * For a sell the target is the leg above the market, for a buy the leg below.
   */
  async placeOco(req: PlaceOcoRequest): Promise<{ target: OrderReport; stop: OrderReport }> {
    const base = { symbol: req.symbol, side: req.side, qty: req.qty, reduceOnly: true }
    const targetReq: PlaceOrderRequest = { ...base, clientOrderId: req.target.clientOrderId, type: 'LIMIT', price: req.target.price }
    const stopReq: PlaceOrderRequest = { ...base, clientOrderId: req.stop.clientOrderId, type: 'STOP_MARKET', triggerPrice: req.stop.triggerPrice }
    const refused = (reason: string) => ({ target: refusedReport(targetReq, reason), stop: refusedReport(stopReq, reason) })
    const target = await this.prepare(targetReq)
    if ('status' in target) return refused(`take-profit leg: ${target.rejectReason}`)
    const stop = await this.prepare(stopReq)
    if ('status' in stop) return refused(`stop leg: ${stop.rejectReason}`)
    this.guard()
    this.symbolByClientId.set(req.target.clientOrderId, stop.symbol)
    this.symbolByClientId.set(req.stop.clientOrderId, stop.symbol)
    const targetLeg = { Type: 'LIMIT_MAKER', Price: target.price, ClientOrderId: req.target.clientOrderId }
    const stopLeg = { Type: 'STOP_LOSS_LIMIT', Price: stop.price, StopPrice: stop.trigger, TimeInForce: 'GTC', ClientOrderId: req.stop.clientOrderId }
    const [above, below] = req.side === 'SELL' ? [targetLeg, stopLeg] : [stopLeg, targetLeg]
    const legParams = (prefix: string, leg: Record<string, string | undefined>) =>
      Object.fromEntries(Object.entries(leg).flatMap(([k, v]) => (v === undefined ? [] : [[`${prefix}${k}`, v]])))
    let raw: { orderReports?: BinanceRawOrder[] }
    try {
      raw = (await this.orderGate.run(() => this.exchange.privatePostOrderListOco({
        symbol: this.exchange.marketId(stop.symbol),
        side: req.side,
        quantity: stop.qty,
        listClientOrderId: req.listClientOrderId,
        newOrderRespType: 'FULL',
        ...legParams('above', above),
        ...legParams('below', below),
      }))) as typeof raw
    } catch (e) {
      if (e instanceof ExchangeError) throw e // the order-rate gate: nothing sent
      const outcome = classifyCcxtError(e)
      if (outcome === 'rejected' || outcome === 'not-found') return refused(rejectReasonOf(e))
      throw translateCcxtError(e, `place the pair ${req.listClientOrderId} on Binance`, { mayHaveExecuted: true, retryAfterMs: this.retryAfterMs() })
    }
    const leg = (clientOrderId: string) => {
      const r = raw.orderReports?.find((o) => o.clientOrderId === clientOrderId)
      if (!r) throw ExchangeError.unknown(`place the pair ${req.listClientOrderId} on Binance: the answer lacks leg ${clientOrderId}`)
      return orderReportFromBinance(r, fillsFromFullResponse(r))
    }
    return { target: leg(req.target.clientOrderId), stop: leg(req.stop.clientOrderId) }
  }

  /**
   * Binance's atomic cancel-replace (order/cancelReplace, STOP_ON_FAILURE): the resting order is
   * canceled and its replacement placed in one request, so the quantity is never left uncovered.
   * -2022 (the cancel failed, nothing placed) is a refusal: the old order's state must be looked
   * up. HTTP 409 / -2021 (canceled, but the new order failed) reports the new one REJECTED with
   * Binance's reason. Anything else uncertain is 'unknown': look both up, never send again.
   */
  async replaceOrder(cancelClientOrderId: string, req: PlaceOrderRequest): Promise<{ canceled: OrderReport; placed: OrderReport }> {
    const prepared = await this.prepare(req)
    if ('status' in prepared) throw new ExchangeError(`replace ${cancelClientOrderId}: ${prepared.rejectReason}; nothing sent`, false)
    const { symbol, type, price, qty, trigger, params } = prepared
    this.guard()
    this.symbolByClientId.set(req.clientOrderId, symbol)
    // ccxt's editSpotOrderRequest reads the trigger from stopPrice (not stopLossPrice, which it
    // would pass through as an unknown parameter) and the id to cancel from cancelOrigClientOrderId.
    const { stopLossPrice: _unused, ...rest } = params
    const payload = this.exchange.editSpotOrderRequest(undefined as unknown as string, symbol, type, req.side === 'BUY' ? 'buy' : 'sell', qty as unknown as number, price as unknown as number, {
      ...rest,
      ...(trigger ? { stopPrice: trigger } : {}),
      cancelOrigClientOrderId: cancelClientOrderId,
    })
    let raw: { cancelResponse?: BinanceRawOrder & { origClientOrderId?: string }; newOrderResponse?: BinanceRawOrder }
    try {
      raw = (await this.orderGate.run(() => this.exchange.privatePostOrderCancelReplace(payload))) as typeof raw
    } catch (e) {
      if (e instanceof ExchangeError) throw e // the order-rate gate: nothing sent
      const code = /"code"\s*:\s*(-?\d+)/.exec(e instanceof Error ? e.message : '')?.[1]
      if (code === '-2022') throw new ExchangeError(`replace ${cancelClientOrderId} on Binance: ${rejectReasonOf(e)} (the resting order could not be canceled; nothing was placed)`, false, { cause: e })
      if (code === '-2021') {
        const canceled = await this.fetchOrder(cancelClientOrderId, { symbol })
        if (!canceled) throw new ExchangeError(`replace ${cancelClientOrderId}: Binance reported a partial cancel-replace but no longer knows the order`, false, { kind: 'unknown', cause: e })
        return { canceled, placed: refusedReport(req, rejectReasonOf(e)) }
      }
      throw translateCcxtError(e, `replace ${cancelClientOrderId} by ${req.clientOrderId} on Binance`, { mayHaveExecuted: true, retryAfterMs: this.retryAfterMs() })
    }
    const c = raw.cancelResponse!
    const original = { ...c, clientOrderId: c.origClientOrderId ?? cancelClientOrderId }
    return {
      canceled: orderReportFromBinance(original, await this.fillsOf(symbol, original)),
      placed: orderReportFromBinance(raw.newOrderResponse!, fillsFromFullResponse(raw.newOrderResponse!)),
    }
  }

  async fetchOrder(clientOrderId: string, hint?: OrderLookupHint): Promise<OrderReport | null> {
    const symbol = this.symbolFor(clientOrderId, hint)
    await this.market(symbol)
    this.guard()
    let raw: BinanceRawOrder
    try {
      raw = (await this.exchange.fetchOrder(undefined as unknown as string, symbol, { clientOrderId })).info as BinanceRawOrder
    } catch (e) {
      if (classifyCcxtError(e) === 'not-found') return null
      throw translateCcxtError(e, `look up ${clientOrderId} on Binance`, { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
    }
    return orderReportFromBinance(raw, await this.fillsOf(symbol, raw))
  }

  /** Idempotent: an order already canceled or filled is reported as it is. */
  async cancelOrder(clientOrderId: string, hint?: OrderLookupHint): Promise<OrderReport> {
    const symbol = this.symbolFor(clientOrderId, hint)
    await this.market(symbol)
    this.guard()
    let raw: BinanceRawOrder
    try {
      raw = (await this.exchange.cancelOrder(undefined as unknown as string, symbol, { clientOrderId })).info as BinanceRawOrder
    } catch (e) {
      if (classifyCcxtError(e) !== 'not-found') {
        throw translateCcxtError(e, `cancel ${clientOrderId} on Binance`, { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
      }
      // -2011: not open any more (or never existed): the order's own state is the answer.
      const now = await this.fetchOrder(clientOrderId, { symbol })
      if (!now) throw new ExchangeError(`cancel ${clientOrderId}: Binance has no such order on ${symbol}`, false, { cause: e })
      return now
    }
    // The cancel reply carries the original id under origClientOrderId.
    const original = { ...raw, clientOrderId: (raw as { origClientOrderId?: string }).origClientOrderId ?? clientOrderId }
    return orderReportFromBinance(original, await this.fillsOf(symbol, original))
  }

  async fetchBalances(): Promise<Balance[]> {
    return balancesFromBinanceAccount(await this.account('read balances from Binance'))
  }

  /** GET /api/v3/account once: the key works (signed), what it holds, and what it may do. */
  async checkConnection(): Promise<ConnectionCheck> {
    const account = await this.account('check the connection to Binance')
    return {
      balances: balancesFromBinanceAccount(account),
      canTrade: account.canTrade === true,
      canWithdraw: typeof account.canWithdraw === 'boolean' ? account.canWithdraw : null,
    }
  }

  /** GET /api/v3/ticker/24hr without a symbol: every spot market's 24 h ticker in one request (weight 80). */
  async fetchDailyVolumes(): Promise<VolumeTicker[]> {
    await this.loadMarkets()
    this.guard()
    try {
      return volumeTickers(this.exchange, await this.exchange.fetchTickers())
    } catch (e) {
      throw translateCcxtError(e, 'read 24 h tickers from Binance', { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
    }
  }

  /**
   * GET /api/v3/openOrders, one market at a time (weight 6 each; without a symbol it is 80, and
   * covers every market). A symbol Binance does not list has no orders and is skipped; any other
   * failure fails the whole read.
   */
  async fetchOpenOrders(symbols: string[]): Promise<OpenOrderReport[]> {
    await this.loadMarkets()
    const out: OpenOrderReport[] = []
    for (const symbol of new Set(symbols)) {
      if (this.exchange.markets?.[symbol]?.spot !== true) continue
      this.guard()
      let orders: { info: unknown }[]
      try {
        orders = await this.exchange.fetchOpenOrders(symbol)
      } catch (e) {
        throw translateCcxtError(e, `read open orders of ${symbol} from Binance`, { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
      }
      for (const o of orders) out.push(openOrderFromBinance(o.info, symbol, await this.listClientOrderIdOf(o.info)))
    }
    return out
  }

  /**
   * GET /api/v3/myTrades per market from `since` (at most 24 h back: Binance answers one day per
   * request), oldest first, 1,000 a page, paging on by trade id. Trades carry no client order id.
   */
  async fetchRecentFills(symbols: string[], since: Date): Promise<RecentFill[]> {
    await this.loadMarkets()
    const out: RecentFill[] = []
    for (const symbol of new Set(symbols)) {
      if (this.exchange.markets?.[symbol]?.spot !== true) continue
      let fromId: number | undefined
      for (let page = 0; ; page++) {
        if (page >= TRADES_MAX_PAGES) throw new ExchangeError(`read recent trades of ${symbol} from Binance: more than ${TRADES_MAX_PAGES * TRADES_PAGE_SIZE}`, false)
        this.guard()
        let raw: unknown
        try {
          raw = await this.exchange.privateGetMyTrades({
            symbol: this.exchange.marketId(symbol),
            limit: TRADES_PAGE_SIZE,
            // startTime and fromId cannot be combined: the first page by time, the next by id.
            ...(fromId === undefined ? { startTime: since.getTime() } : { fromId }),
          })
        } catch (e) {
          throw translateCcxtError(e, `read recent trades of ${symbol} from Binance`, { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
        }
        const trades = z.array(ZBinanceTrade).parse(raw)
        for (const t of trades) out.push({ symbol, exchangeOrderId: String(t.orderId), clientOrderId: null, fill: fillsFromTrades([t])[0]! })
        if (trades.length < TRADES_PAGE_SIZE) break
        fromId = trades[trades.length - 1]!.id + 1
      }
    }
    return out
  }

  /** GET /api/v3/order by Binance's order id, its trades, and its order list's client id if it is a leg of one. */
  async fetchOrderByExchangeId(exchangeOrderId: string, hint: OrderLookupHint): Promise<{ order: ExchangeOrderFacts; report: OrderReport } | null> {
    const symbol = (await this.market(hint.symbol)).symbol
    this.guard()
    let raw: BinanceRawOrder
    try {
      raw = (await this.exchange.fetchOrder(exchangeOrderId, symbol)).info as BinanceRawOrder
    } catch (e) {
      if (classifyCcxtError(e) === 'not-found') return null
      throw translateCcxtError(e, `look up order ${exchangeOrderId} on Binance`, { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
    }
    return { order: orderFactsFromBinance(raw, symbol, await this.listClientOrderIdOf(raw)), report: orderReportFromBinance(raw, await this.fillsOf(symbol, raw)) }
  }

  /**
   * Order and fill updates from Binance's user data stream (the WebSocket API subscription ccxt
   * pro uses for spot watchOrders): see BinanceOrderStream.
   */
  watchOrderReports(handlers: OrderStreamHandlers, signal: AbortSignal): Promise<void> {
    return this.stream.watch(handlers, signal)
  }

  async close(): Promise<void> {
    await this.stream.close()
    await this.exchange.close()
  }

  // ---- internals --------------------------------------------------------------------------

  private async account(what: string): Promise<BinanceRawAccount> {
    this.guard()
    try {
      return (await this.exchange.privateGetAccount()) as BinanceRawAccount
    } catch (e) {
      throw translateCcxtError(e, what, { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
    }
  }

  /** GET /api/v3/orderList for the list a raw order is a leg of (once per list): its client id, or null. */
  private async listClientOrderIdOf(raw: unknown): Promise<string | null> {
    const orderListId = binanceOrderListId(raw)
    if (orderListId === null) return null
    const known = this.listClientOrderIds.get(orderListId)
    if (known !== undefined) return known
    this.guard()
    let list: z.infer<typeof ZBinanceOrderList>
    try {
      list = ZBinanceOrderList.parse(await this.exchange.privateGetOrderList({ orderListId }))
    } catch (e) {
      throw translateCcxtError(e, `read order list ${orderListId} from Binance`, { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
    }
    this.listClientOrderIds.set(orderListId, list.listClientOrderId)
    return list.listClientOrderId
  }

  /**
   * Every trade of an order. Binance answers at most `limit` (default 500, at most 1000) a call,
   * oldest first from `fromId`: a large order filled by many small takers has more, and a FILLED
   * report short of some of its trades would be booked short for good (a terminal order is not
   * asked about again).
   */
  private async fillsOf(symbol: string, raw: BinanceRawOrder) {
    if (dec(raw.executedQty).isZero()) return []
    try {
      const trades: BinanceRawTrade[] = []
      for (let fromId: number | undefined; ; ) {
        const page = (await this.exchange.privateGetMyTrades({ symbol: this.exchange.marketId(symbol), orderId: raw.orderId, limit: TRADES_PAGE_SIZE, ...(fromId !== undefined ? { fromId } : {}) })) as BinanceRawTrade[]
        trades.push(...page.filter((t) => String(t.orderId) === String(raw.orderId)))
        if (page.length < TRADES_PAGE_SIZE) break
        fromId = Number(page[page.length - 1]!.id) + 1
      }
      return fillsFromTrades(trades)
    } catch (e) {
      throw translateCcxtError(e, `read fills of ${raw.clientOrderId} from Binance`, { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
    }
  }

  private symbolFor(clientOrderId: string, hint?: OrderLookupHint): string {
    const symbol = hint?.symbol ?? this.symbolByClientId.get(clientOrderId)
    if (!symbol) {
      throw new ExchangeError(`Binance looks orders up within a market: the symbol of ${clientOrderId} is needed (pass it as the hint)`, false)
    }
    return symbol
  }

  private async market(symbol: string): Promise<MarketInterface> {
    await this.loadMarkets()
    const m = this.exchange.markets?.[symbol]
    if (!m || m.spot !== true) throw new ExchangeError(`Unknown symbol ${symbol}: Binance has no spot market by that name`, false)
    return m
  }

  private async loadMarkets(): Promise<void> {
    // Markets already loaded are read from memory: a back-off (see guard) only stops requests.
    if (this.exchange.markets && !this.marketsFailed) return
    this.guard()
    try {
      // A failed loadMarkets promise is cached by ccxt; force a reload after a failure.
      await this.exchange.loadMarkets(this.marketsFailed)
      this.marketsFailed = false
    } catch (e) {
      this.marketsFailed = true
      throw translateCcxtError(e, 'load Binance markets', { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
    }
  }

  private retryAfterMs(): number | undefined {
    return this.backOff.retryAfterMs()
  }

  private guard(): void {
    this.backOff.guard()
  }
}

const TRADES_PAGE_SIZE = 1000
const TRADES_MAX_PAGES = 10
const decimal = z.string().regex(/^\d+(\.\d+)?$/)

/** One trade of GET /api/v3/myTrades, the fields we read. */
const ZBinanceTrade = z.object({
  id: z.number().int(),
  orderId: z.union([z.number(), z.string()]),
  price: decimal,
  qty: decimal,
  commission: decimal,
  commissionAsset: z.string(),
  time: z.number(),
  isMaker: z.boolean(),
})

/** The part of GET /api/v3/account we read. */
interface BinanceRawAccount {
  canTrade?: boolean
  canWithdraw?: boolean
  balances?: { asset: string; free: string; locked: string }[]
}

/** Non-zero holdings as free + locked, by asset name. */
function balancesFromBinanceAccount(account: BinanceRawAccount): Balance[] {
  return (account.balances ?? [])
    .map((b) => ({ asset: b.asset, amount: dec(b.free).plus(b.locked) }))
    .filter((b) => !b.amount.isZero())
    .sort((a, b) => a.asset.localeCompare(b.asset))
}

interface PreparedOrder {
  symbol: string
  type: 'market' | 'limit'
  price: string | undefined
  qty: string
  /** A stop's trigger price, already on the tick grid. */
  trigger: string | undefined
  params: Record<string, unknown>
}

/** Tick, step and minimums straight from the exchangeInfo filters (decimal strings, exact). */
export function rulesFromBinanceMarket(market: MarketInterface): MarketRules {
  const filters = ((market.info as { filters?: Record<string, string>[] }).filters ?? []).reduce<Record<string, Record<string, string>>>(
    (acc, f) => ({ ...acc, [f.filterType as string]: f }),
    {},
  )
  const tick = filters.PRICE_FILTER?.tickSize
  const step = filters.LOT_SIZE?.stepSize
  if (!tick || !step) throw new ExchangeError(`Binance market ${market.symbol} has no PRICE_FILTER/LOT_SIZE`, false)
  const minNotional = filters.NOTIONAL?.minNotional ?? filters.MIN_NOTIONAL?.minNotional
  const stepSize = dec(step)
  return {
    symbol: market.symbol,
    base: market.base,
    quote: market.quote,
    tickSize: dec(tick),
    stepSize,
    minQty: filters.LOT_SIZE?.minQty ? dec(filters.LOT_SIZE.minQty) : stepSize,
    minNotional: minNotional ? dec(minNotional) : dec(0),
  }
}

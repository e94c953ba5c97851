import ccxt, { type MarketInterface } from 'ccxt'
import { dec, type Decimal } from '@/lib/domain/decimal'
import { isOpenOrderStatus } from '@/lib/domain/orders/order-lifecycle'
import { isMultipleOf, type MarketRules } from '@/lib/domain/market/precision'
import type { VolumeTicker } from '@/lib/domain/market/top-by-volume'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import { stopLimitOffsetOf, stopLimitPrice } from '@/lib/domain/market/stop-limit'
import { refusedReport, VenueBackOff } from './venue-back-off'
import type {
  Balance,
  ConnectionCheck,
  ExchangeCapabilities,
  ExchangePort,
  OrderLookupHint,
  OrderReport,
  OrderStreamHandlers,
  PlaceOrderRequest,
} from '@/lib/exchange/port'
import { CoinbaseOrderStream } from './coinbase-order-stream'
import { fillsFromCoinbase, orderReportFromCoinbase, type CoinbaseRawFill, type CoinbaseRawOrder } from './order-report-from-coinbase'
import type { ExchangeOrderFacts, OpenOrderReport, RecentFill } from '@/lib/exchange/port'
import { openOrderFromCoinbase, orderFactsFromCoinbase } from './open-order-from-coinbase'
import { normaliseBaseUrl, rewriteHosts } from './rest-base-url'
import { classifyCcxtError, translateCcxtError } from './translate-ccxt-error'
import { coinbaseQuoteVolume, volumeTickers } from './volume-tickers'

export interface CoinbaseExchangeOptions {
  accountId: string
  /** A CDP key name (`organizations/{org}/apiKeys/{id}`): ccxt then signs an ES256 JWT per request. */
  apiKey: string
  /** The CDP key's EC private key, PEM, newlines intact. */
  secret: string
  /** Replaces the REST host, keeping the paths (Coinbase has no sandbox worth testing against). */
  baseUrl?: string
  timeoutMs?: number
  /**
   * How far beyond the trigger the limit of a stop goes (Coinbase only rests stop-limits, so
   * STOP_MARKET is sent as stop_limit_stop_limit_gtc): 0.01 = 1 %, freqtrade's default.
   */
  stopLimitOffset?: Decimal
  /** Stay-away when a 429 carries no Retry-After (Coinbase does not promise one). */
  defaultRetryAfterMs?: number
}

/** A product as GET /api/v3/brokerage/market/products lists it (ccxt keeps it as `market.info`). */
interface CoinbaseRawProduct {
  product_id: string
  base_increment?: string
  quote_increment?: string
  price_increment?: string
  base_min_size?: string
  quote_min_size?: string
  /** Older product shape; v3 says quote_min_size. */
  min_market_funds?: string
}

interface CoinbaseRawAccount {
  currency: string
  type?: string
  available_balance?: { value: string; currency: string }
  hold?: { value: string; currency: string }
}

/** Orders looked up by client id are searched in pages of this many, newest first. */
const LOOKUP_PAGE_SIZE = 100
/** Beyond this many of the account's most recent orders, a lookup gives up instead of concluding "never received". */
const LOOKUP_MAX_PAGES = 10
const FILLS_PAGE_SIZE = 100
const FILLS_MAX_PAGES = 50
/** After an accepted cancel, how often (and how far apart) the order is re-read while it still shows as working. */
const CANCEL_SETTLE_READS = 3
const CANCEL_SETTLE_MS = 150
/** GET /api/v3/brokerage/orders/historical/{order_id}, not .../batch or .../fills. */
const ORDER_BY_ID_PATH = /\/api\/v3\/brokerage\/orders\/historical\/(?!batch$|fills$)[^/]+$/

/**
 * Coinbase Advanced Trade (spot) through the real ccxt `coinbase` class. As with Binance, every
 * outcome is classified once, here: a report (confirmed), a REJECTED report (Coinbase refused:
 * `success: false` with an error_response), or an ExchangeError whose kind says retryable (not
 * executed), rejected, or unknown (may have executed: look it up, never re-send). No retries.
 *
 * Coinbase knows orders by its own order id only. The id of every order placed here is kept; an
 * order placed by another process (or before a restart) is found by its client order id in the
 * account's order list.
 */
export class CoinbaseExchange implements ExchangePort {
  readonly accountId: string
  readonly capabilities: ExchangeCapabilities
  private readonly exchange: InstanceType<typeof ccxt.coinbase>
  private readonly stopLimitOffset: Decimal
  private readonly backOff: VenueBackOff
  private readonly orderIdByClientId = new Map<string, string>()
  private marketsFailed = false
  private readonly stream: CoinbaseOrderStream

  constructor(opts: CoinbaseExchangeOptions) {
    this.accountId = opts.accountId
    this.stopLimitOffset = stopLimitOffsetOf(opts.stopLimitOffset)
    this.capabilities = { shortSelling: false, nativeStop: true, stopLimitOffset: this.stopLimitOffset, oco: false, cancelReplace: false }
    this.backOff = new VenueBackOff('Coinbase', opts.defaultRetryAfterMs, [429])
    this.exchange = new ccxt.coinbase({
      apiKey: opts.apiKey,
      secret: opts.secret,
      timeout: opts.timeoutMs ?? 10_000,
      enableRateLimit: true,
      // loadMarkets would first call fetchCurrencies: three public v2 calls (currencies,
      // currencies/crypto, exchange-rates) of which nothing here uses anything.
      has: { fetchCurrencies: false },
    })
    const baseUrl = opts.baseUrl !== undefined ? normaliseBaseUrl(opts.baseUrl, 'Coinbase') : undefined
    if (baseUrl !== undefined) this.exchange.urls['api'] = rewriteHosts(this.exchange.urls['api'], baseUrl)
    // The private stream: same key, same host (its websocket on the REST host), same markets.
    this.stream = new CoinbaseOrderStream({
      apiKey: opts.apiKey,
      secret: opts.secret,
      baseUrl,
      restWithMarkets: async () => {
        await this.market()
        return this.exchange
      },
    })

    // A 429 limits the key, not one request: note its Retry-After (only in the headers) so every
    // later call waits it out (see guard) instead of hammering.
    this.backOff.watch(this.exchange)
    // ccxt's coinbase handler reads any JSON `error` as a refusal before looking at the HTTP
    // status, so a 5xx or 429 with a JSON body would come out as a plain ExchangeError ("refused
    // for good"). The status decides first here; and an unknown order id (404 NOT_FOUND on
    // GET /orders/historical/{id}), which ccxt's broad match misses, becomes OrderNotFound.
    const handleErrors = this.exchange.handleErrors.bind(this.exchange)
    this.exchange.handleErrors = (code, reason, url, method, headers, body, response, reqHeaders, reqBody) => {
      if (code === 429) throw new ccxt.RateLimitExceeded(`coinbase ${method} ${url} 429 ${body}`)
      if (code >= 500) throw new ccxt.ExchangeNotAvailable(`coinbase ${method} ${url} ${code} ${body}`)
      if (code === 404 && ORDER_BY_ID_PATH.test(new URL(url).pathname) && saysNotFound(response)) {
        throw new ccxt.OrderNotFound(`coinbase ${body}`)
      }
      return handleErrors(code, reason, url, method, headers, body, response, reqHeaders, reqBody)
    }
  }

  async marketRules(symbol: string): Promise<MarketRules> {
    return rulesFromCoinbaseMarket(await this.market(symbol))
  }

  async placeOrder(req: PlaceOrderRequest): Promise<OrderReport> {
    const rejected = (reason: string) => refusedReport(req, reason)
    let market: MarketInterface
    try {
      market = await this.market(req.symbol)
    } catch (e) {
      if (e instanceof ExchangeError && e.kind === 'rejected') return rejected(e.message)
      throw e
    }
    const rules = rulesFromCoinbaseMarket(market)
    const symbol = market.symbol
    // Sizes and prices go out exactly as asked or not at all: a silent rounding would change the
    // risk the caller sized. The grid is checked on the exact decimals, and ccxt's formatting
    // (what it will put in the request) must give back the same value.
    const offGrid = `quantity ${req.qty.toFixed()} is not on the step grid ${rules.stepSize.toFixed()} of ${symbol}`
    if (!req.qty.gt(0) || !isMultipleOf(req.qty, rules.stepSize)) return rejected(offGrid)
    const qty = req.qty.toFixed()
    if (!sameValue(() => this.exchange.amountToPrecision(symbol, qty), req.qty)) return rejected(offGrid)
    const onTick = (p: Decimal, name: string): string => {
      const off = `${name} ${p.toFixed()} is not on the tick grid ${rules.tickSize.toFixed()} of ${symbol}`
      if (!p.gt(0) || !isMultipleOf(p, rules.tickSize)) throw new Error(off)
      if (!sameValue(() => this.exchange.priceToPrecision(symbol, p.toFixed()), p)) throw new Error(off)
      return p.toFixed()
    }
    // Always our id, snake_case: ccxt ignores camelCase clientOrderId and would invent `ccxt-<uuid>`.
    // reduceOnly is never passed: ccxt turns it into closePosition (a futures endpoint); a spot sell
    // can only shrink what is held anyway.
    const params: Record<string, unknown> = { client_order_id: req.clientOrderId }
    let type: 'market' | 'limit'
    let price: string | undefined
    try {
      if (req.type === 'MARKET') {
        type = 'market'
        if (req.side === 'BUY') {
          // ccxt always sends a spot market BUY as quote_size (cost = amount × price); our
          // quantities are base units, so the configuration is given whole: params are merged over
          // ccxt's request, replacing its order_configuration. Coinbase accepts base_size on buys.
          params.createMarketBuyOrderRequiresPrice = false
          params.order_configuration = { market_market_ioc: { base_size: qty } }
        }
      } else if (req.type === 'LIMIT') {
        if (!req.price) return rejected('LIMIT order needs a positive price')
        type = 'limit'
        price = onTick(req.price, 'price') // no timeInForce: ccxt sends limit_limit_gtc, post_only false
      } else {
        if (!req.triggerPrice) return rejected('STOP_MARKET order needs a positive trigger price')
        const trigger = onTick(req.triggerPrice, 'trigger price')
        const limit = stopLimitPrice(req.triggerPrice, req.side, this.stopLimitOffset, rules.tickSize)
        if (!limit.gt(0)) return rejected(`stop limit price ${limit.toFixed()} is not positive`)
        type = 'limit'
        price = limit.toFixed()
        // stopLossPrice (not triggerPrice): ccxt then sends stop_limit_stop_limit_gtc with
        // STOP_DIRECTION_STOP_DOWN for a sell and STOP_UP for a buy.
        params.stopLossPrice = trigger
      }
    } catch (e) {
      return rejected((e as Error).message)
    }
    this.guard()
    let info: { order_id?: string; client_order_id?: string }
    try {
      // ccxt's typings say number; strings are what its *ToPrecision expect and keep the value exact.
      const order = await this.exchange.createOrder(symbol, type, req.side === 'BUY' ? 'buy' : 'sell', qty as unknown as number, price as unknown as number, params)
      info = order.info as typeof info
    } catch (e) {
      const outcome = classifyCcxtError(e)
      if (outcome === 'rejected' || outcome === 'not-found') return rejected(rejectReasonOfCoinbase(e))
      throw translateCcxtError(e, `place ${req.clientOrderId} on Coinbase`, { mayHaveExecuted: true, retryAfterMs: this.retryAfterMs() })
    }
    if (!info.order_id) {
      throw ExchangeError.unknown(`place ${req.clientOrderId} on Coinbase: the answer carried no order id (execution status unknown: look the order up by client order id, do not re-send it)`)
    }
    if (info.client_order_id !== req.clientOrderId) {
      throw ExchangeError.unknown(`place ${req.clientOrderId} on Coinbase: order ${info.order_id} came back under client order id "${info.client_order_id}"`)
    }
    this.orderIdByClientId.set(req.clientOrderId, info.order_id)
    // The create reply carries neither status nor fills: read them.
    try {
      return await this.reportOf(await this.orderById(info.order_id), market)
    } catch (e) {
      if (!(e instanceof ExchangeError)) throw e
      // Accepted for certain (Coinbase gave its id); only the read failed. The fills arrive with
      // the next lookup.
      return { clientOrderId: req.clientOrderId, exchangeOrderId: info.order_id, status: 'SUBMITTED', filledQty: dec(0), fills: [] }
    }
  }

  async fetchOrder(clientOrderId: string, hint?: OrderLookupHint): Promise<OrderReport | null> {
    const orderId = this.orderIdByClientId.get(clientOrderId)
    if (orderId) return this.reportOf(await this.orderById(orderId, clientOrderId))
    const raw = await this.findByClientId(clientOrderId, hint)
    return raw ? this.reportOf(raw) : null
  }

  /** Idempotent: an order already canceled or filled is reported as it is. */
  async cancelOrder(clientOrderId: string, hint?: OrderLookupHint): Promise<OrderReport> {
    let orderId = this.orderIdByClientId.get(clientOrderId)
    if (!orderId) {
      const raw = await this.findByClientId(clientOrderId, hint)
      if (!raw) throw new ExchangeError(`cancel ${clientOrderId}: Coinbase has no such order`, false)
      orderId = raw.order_id
    }
    await this.market() // markets are needed to read the order's fills
    this.guard()
    let result: { success?: boolean; failure_reason?: string; order_id?: string } | undefined
    try {
      const res = (await this.exchange.v3PrivatePostBrokerageOrdersBatchCancel({ order_ids: [orderId] })) as { results?: (typeof result)[] }
      result = res.results?.find((r) => r?.order_id === orderId) ?? res.results?.[0]
    } catch (e) {
      throw translateCcxtError(e, `cancel ${clientOrderId} on Coinbase`, { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
    }
    if (!result) throw new ExchangeError(`cancel ${clientOrderId}: Coinbase answered without a result for order ${orderId}`, true)
    let report = await this.reportOf(await this.orderById(orderId, clientOrderId))
    if (result.success !== true) {
      // Refused (already filled, canceled, expired, ...): the order's own state is the answer.
      if (isOpenOrderStatus(report.status)) {
        throw new ExchangeError(`cancel ${clientOrderId}: Coinbase refused (${result.failure_reason ?? 'no reason given'}) and the order is still working`, true)
      }
      return report
    }
    // Accepted: Coinbase may still show it CANCEL_QUEUED (working) for a moment.
    for (let i = 0; i < CANCEL_SETTLE_READS && isOpenOrderStatus(report.status); i++) {
      await sleep(CANCEL_SETTLE_MS)
      report = await this.reportOf(await this.orderById(orderId, clientOrderId))
    }
    return report
  }

  async fetchBalances(): Promise<Balance[]> {
    const total = new Map<string, Decimal>()
    let cursor: string | undefined
    for (let page = 0; ; page++) {
      if (page >= 100) throw new ExchangeError('read balances from Coinbase: more than 100 pages of accounts', false)
      this.guard()
      let res: { accounts?: CoinbaseRawAccount[]; has_next?: boolean; cursor?: string }
      try {
        res = (await this.exchange.v3PrivateGetBrokerageAccounts({ limit: 250, ...(cursor ? { cursor } : {}) })) as typeof res
      } catch (e) {
        throw translateCcxtError(e, 'read balances from Coinbase', { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
      }
      for (const a of res.accounts ?? []) {
        // Vaults and perpetual sub-accounts cannot be traded from (ccxt keeps the same two types).
        if (a.type !== undefined && a.type !== 'ACCOUNT_TYPE_CRYPTO' && a.type !== 'ACCOUNT_TYPE_FIAT') continue
        const asset = this.exchange.safeCurrencyCode(a.currency) ?? a.currency
        const amount = dec(a.available_balance?.value ?? 0).plus(a.hold?.value ?? 0)
        total.set(asset, (total.get(asset) ?? dec(0)).plus(amount))
      }
      if (!res.has_next || !res.cursor) break
      cursor = res.cursor
    }
    return [...total.entries()]
      .map(([asset, amount]) => ({ asset, amount }))
      .filter((b) => !b.amount.isZero())
      .sort((a, b) => a.asset.localeCompare(b.asset))
  }

  /** GET market/products (public): every product with its 24 h volume, in one request. */
  async fetchDailyVolumes(): Promise<VolumeTicker[]> {
    await this.market()
    this.guard()
    try {
      return volumeTickers(this.exchange, await this.exchange.fetchTickers(), (t) => coinbaseQuoteVolume(t.info as Record<string, unknown> | undefined))
    } catch (e) {
      throw translateCcxtError(e, 'read 24 h volumes from Coinbase', { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
    }
  }

  async checkConnection(): Promise<ConnectionCheck> {
    const balances = await this.fetchBalances()
    this.guard()
    let perms: { can_trade?: boolean; can_transfer?: boolean }
    try {
      perms = (await this.exchange.v3PrivateGetBrokerageKeyPermissions()) as typeof perms
    } catch (e) {
      throw translateCcxtError(e, 'read the key permissions from Coinbase', { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
    }
    return { balances, canTrade: perms.can_trade === true, canWithdraw: typeof perms.can_transfer === 'boolean' ? perms.can_transfer : null }
  }

  /**
   * GET /orders/historical/batch?order_status=OPEN for these products, every page. The raw call
   * rather than ccxt's fetchOpenOrders: that one asks for one product (the deprecated singular
   * product_id), reads one page unless told to paginate, and parses sizes into floats.
   */
  async fetchOpenOrders(symbols: string[]): Promise<OpenOrderReport[]> {
    const productIds = await this.productIdsOf(symbols)
    if (productIds.length === 0) return []
    const out: OpenOrderReport[] = []
    let cursor: string | undefined
    for (let page = 0; page < LOOKUP_MAX_PAGES; page++) {
      this.guard()
      let res: { orders?: (CoinbaseRawOrder & { product_id: string })[]; has_next?: boolean; cursor?: string }
      try {
        res = (await this.exchange.v3PrivateGetBrokerageOrdersHistoricalBatch({
          order_status: ['OPEN'],
          product_ids: productIds,
          limit: LOOKUP_PAGE_SIZE,
          ...(cursor ? { cursor } : {}),
        })) as typeof res
      } catch (e) {
        throw translateCcxtError(e, 'read open orders from Coinbase', { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
      }
      for (const o of res.orders ?? []) out.push(openOrderFromCoinbase(o, (await this.marketById(o.product_id)).symbol))
      if (!res.has_next || !res.cursor) return out
      cursor = res.cursor
    }
    throw new ExchangeError(`read open orders from Coinbase: more than ${LOOKUP_MAX_PAGES * LOOKUP_PAGE_SIZE}`, false)
  }

  /**
   * GET /orders/historical/fills for these products from `since` (start_sequence_timestamp), every
   * page. Fills carry Coinbase's order id, not the client order id.
   */
  async fetchRecentFills(symbols: string[], since: Date): Promise<RecentFill[]> {
    const productIds = await this.productIdsOf(symbols)
    if (productIds.length === 0) return []
    const out: RecentFill[] = []
    let cursor: string | undefined
    for (let page = 0; page < FILLS_MAX_PAGES; page++) {
      this.guard()
      let res: { fills?: (CoinbaseRawFill & { product_id: string })[]; cursor?: string }
      try {
        res = (await this.exchange.v3PrivateGetBrokerageOrdersHistoricalFills({
          product_ids: productIds,
          start_sequence_timestamp: since.toISOString(),
          limit: FILLS_PAGE_SIZE,
          ...(cursor ? { cursor } : {}),
        })) as typeof res
      } catch (e) {
        throw translateCcxtError(e, 'read recent fills from Coinbase', { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
      }
      for (const f of res.fills ?? []) {
        const market = await this.marketById(f.product_id)
        out.push({ symbol: market.symbol, exchangeOrderId: f.order_id, clientOrderId: null, fill: fillsFromCoinbase([f], market.quote)[0]! })
      }
      if (!res.cursor) return out
      cursor = res.cursor
    }
    throw new ExchangeError(`read recent fills from Coinbase: more than ${FILLS_MAX_PAGES} pages`, false)
  }

  /** GET /orders/historical/{order_id} and the order's fills; null when Coinbase does not know the id. */
  async fetchOrderByExchangeId(exchangeOrderId: string): Promise<{ order: ExchangeOrderFacts; report: OrderReport } | null> {
    let raw: CoinbaseRawOrder
    try {
      raw = await this.orderById(exchangeOrderId)
    } catch (e) {
      if (e instanceof ExchangeError && e.cause instanceof ccxt.OrderNotFound) return null
      throw e
    }
    const market = await this.marketById(raw.product_id)
    return { order: orderFactsFromCoinbase(raw, market.symbol), report: await this.reportOf(raw, market) }
  }

  /** Order updates from the Advanced Trade websocket's `user` channel: see CoinbaseOrderStream. */
  watchOrderReports(handlers: OrderStreamHandlers, signal: AbortSignal): Promise<void> {
    return this.stream.watch(handlers, signal)
  }

  async close(): Promise<void> {
    await this.stream.close()
    await this.exchange.close()
  }

  // ---- internals --------------------------------------------------------------------------

  /** The product ids of those symbols Coinbase lists as spot markets (the others have no orders). */
  private async productIdsOf(symbols: string[]): Promise<string[]> {
    await this.market()
    return [...new Set(symbols)].flatMap((s) => {
      const m = this.exchange.markets?.[s]
      return m?.spot === true ? [m.id] : []
    })
  }

  /** GET /orders/historical/{id}. `clientOrderId` set: the id is ours, so a 404 is lag, not absence. */
  private async orderById(orderId: string, clientOrderId?: string): Promise<CoinbaseRawOrder> {
    this.guard()
    try {
      const res = (await this.exchange.v3PrivateGetBrokerageOrdersHistoricalOrderId({ order_id: orderId })) as { order?: CoinbaseRawOrder }
      if (!res.order?.order_id) throw new ExchangeError(`read order ${orderId} from Coinbase: the answer carried no order`, true)
      return res.order
    } catch (e) {
      if (e instanceof ccxt.OrderNotFound && clientOrderId) {
        throw new ExchangeError(`read ${clientOrderId} from Coinbase: order ${orderId} (its id from Coinbase) is not shown yet`, true, { cause: e })
      }
      throw translateCcxtError(e, `read order ${orderId} from Coinbase`, { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
    }
  }

  /**
   * Coinbase cannot look an order up by client order id: the account's orders are listed, newest
   * first (within the hinted market when there is one), until it turns up or the list ends.
   */
  private async findByClientId(clientOrderId: string, hint?: OrderLookupHint): Promise<CoinbaseRawOrder | null> {
    const productId = hint ? (await this.market(hint.symbol)).id : undefined
    let cursor: string | undefined
    for (let page = 0; page < LOOKUP_MAX_PAGES; page++) {
      this.guard()
      let res: { orders?: CoinbaseRawOrder[]; has_next?: boolean; cursor?: string }
      try {
        res = (await this.exchange.v3PrivateGetBrokerageOrdersHistoricalBatch({
          limit: LOOKUP_PAGE_SIZE,
          ...(productId ? { product_ids: [productId] } : {}),
          ...(cursor ? { cursor } : {}),
        })) as typeof res
      } catch (e) {
        throw translateCcxtError(e, `look up ${clientOrderId} on Coinbase`, { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
      }
      const hit = (res.orders ?? []).find((o) => o.client_order_id === clientOrderId)
      if (hit) {
        this.orderIdByClientId.set(clientOrderId, hit.order_id)
        return hit
      }
      if (!res.has_next || !res.cursor) return null
      cursor = res.cursor
    }
    // Not proof that Coinbase never received it: only that it is older than what was searched.
    throw new ExchangeError(
      `look up ${clientOrderId} on Coinbase: not among the ${LOOKUP_MAX_PAGES * LOOKUP_PAGE_SIZE} most recent orders${productId ? ` of ${productId}` : ''}`,
      false,
    )
  }

  private async reportOf(raw: CoinbaseRawOrder, known?: MarketInterface): Promise<OrderReport> {
    const market = known ?? (await this.marketById(raw.product_id))
    const fills = dec(raw.filled_size || 0).gt(0) ? await this.fillsOf(raw, market) : []
    return orderReportFromCoinbase(raw, fills)
  }

  private async fillsOf(raw: CoinbaseRawOrder, market: MarketInterface) {
    const all: CoinbaseRawFill[] = []
    let cursor: string | undefined
    for (let page = 0; page < FILLS_MAX_PAGES; page++) {
      this.guard()
      let res: { fills?: CoinbaseRawFill[]; cursor?: string }
      try {
        res = (await this.exchange.v3PrivateGetBrokerageOrdersHistoricalFills({
          order_ids: [raw.order_id],
          limit: FILLS_PAGE_SIZE,
          ...(cursor ? { cursor } : {}),
        })) as typeof res
      } catch (e) {
        throw translateCcxtError(e, `read fills of ${raw.client_order_id} from Coinbase`, { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
      }
      all.push(...(res.fills ?? []).filter((f) => f.order_id === raw.order_id))
      if (!res.cursor) return fillsFromCoinbase(all, market.quote)
      cursor = res.cursor
    }
    throw new ExchangeError(`read fills of ${raw.client_order_id} from Coinbase: more than ${FILLS_MAX_PAGES} pages`, false)
  }

  private async marketById(productId: string): Promise<MarketInterface> {
    await this.market()
    const m = this.exchange.markets_by_id?.[productId]?.[0]
    if (!m) throw new ExchangeError(`Coinbase order is on ${productId}, which is not among its markets`, false)
    return m as MarketInterface
  }

  /** Loads the markets (once; again after a failure) and returns `symbol`'s spot market when asked. */
  private async market(): Promise<void>
  private async market(symbol: string): Promise<MarketInterface>
  private async market(symbol?: string): Promise<MarketInterface | void> {
    this.guard()
    try {
      // A failed loadMarkets promise is cached by ccxt; force a reload after a failure.
      await this.exchange.loadMarkets(this.marketsFailed)
      this.marketsFailed = false
    } catch (e) {
      this.marketsFailed = true
      throw translateCcxtError(e, 'load Coinbase markets', { mayHaveExecuted: false, retryAfterMs: this.retryAfterMs() })
    }
    if (symbol === undefined) return
    const m = this.exchange.markets?.[symbol]
    if (!m || m.spot !== true) throw new ExchangeError(`Unknown symbol ${symbol}: Coinbase has no spot market by that name`, false)
    return m
  }

  private retryAfterMs(): number | undefined {
    return this.backOff.retryAfterMs()
  }

  private guard(): void {
    this.backOff.guard()
  }
}

/** Tick, step and minimums straight from the product (decimal strings, exact). */
export function rulesFromCoinbaseMarket(market: MarketInterface): MarketRules {
  const p = market.info as CoinbaseRawProduct
  const tick = p.price_increment || p.quote_increment
  const step = p.base_increment
  if (!tick || !step) throw new ExchangeError(`Coinbase product ${market.id} has no price_increment/base_increment`, false)
  const stepSize = dec(step)
  const minNotional = p.quote_min_size || p.min_market_funds
  return {
    symbol: market.symbol,
    base: market.base,
    quote: market.quote,
    tickSize: dec(tick),
    stepSize,
    minQty: p.base_min_size ? dec(p.base_min_size) : stepSize,
    minNotional: minNotional ? dec(minNotional) : dec(0),
  }
}

/**
 * A short reason for a REJECTED report from Coinbase's own words. ccxt puts the body in the
 * message ("coinbase {json}"): `error_response` of an order refusal, or `error`/`message` of a
 * request refusal.
 */
export function rejectReasonOfCoinbase(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  const kind = error instanceof Error ? error.constructor.name : 'Error'
  const start = text.indexOf('{')
  if (start >= 0) {
    try {
      const body = JSON.parse(text.slice(start)) as {
        error?: string
        message?: string
        error_details?: string
        error_response?: { error?: string; message?: string; error_details?: string; preview_failure_reason?: string; new_order_failure_reason?: string }
        errors?: { id?: string; message?: string }[]
      }
      const r = body.error_response
      const parts = r
        ? [r.error, r.preview_failure_reason, r.new_order_failure_reason, r.message || r.error_details]
        : body.error
          ? [body.error, body.message || body.error_details]
          : [body.errors?.[0]?.id, body.errors?.[0]?.message]
      const words = [...new Set(parts.filter((s): s is string => !!s && s !== 'UNKNOWN_FAILURE_REASON'))]
      if (words.length > 0) return `${kind}: ${words.join(' ')}`
    } catch {
      // not JSON after all: fall through to the plain text
    }
  }
  return `${kind}: ${text.replace(/^coinbase\s+/, '')}`
}

function sameValue(format: () => string | number | undefined, expected: Decimal): boolean {
  try {
    const v = format()
    return v !== undefined && dec(String(v)).eq(expected)
  } catch {
    return false // ccxt throws when the amount would truncate to 0
  }
}

function saysNotFound(response: unknown): boolean {
  if (!response || typeof response !== 'object') return false
  const r = response as { error?: unknown; message?: unknown; error_details?: unknown }
  return [r.error, r.message, r.error_details].some((s) => typeof s === 'string' && /not[\s_]?found/i.test(s))
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

import type { Db } from '@/lib/db/client'
import { env } from '@/lib/config/env'
import type { MarketRules } from '@/lib/domain/market/precision'
import type { VolumeTicker } from '@/lib/domain/market/top-by-volume'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import type { Balance, ConnectionCheck, ExchangeCapabilities, ExchangePort, OrderLookupHint, OrderReport, OrderStreamHandlers, PlaceOcoRequest, PlaceOrderRequest } from '@/lib/exchange/port'
import type { ExchangeOrderFacts, OpenOrderReport, RecentFill } from '@/lib/exchange/port'
import { openSecret } from '@/lib/server/secrets/secret-box'
import { buildVenueAdapter, VENUE_CAPABILITIES, VENUE_ORDER_STREAM, type Venue, type VenueAdapter } from './venue-adapter'

/** Why a LIVE account sends nothing new while the server's second key is off. */
export const LIVE_TRADING_OFF = 'live trading is off on this server (LIVE_TRADING_ENABLED is not true): LIVE accounts only exit and cancel'

/**
 * One adapter per account and key version, shared by every request of this process: ccxt's
 * markets are loaded once, and its rate limiter and a 429's back-off apply to the account as a
 * whole. A changed account row (new keys, base URL, mode) builds a new adapter.
 */
const adapters = new Map<string, { stamp: number; key: string; adapter: VenueAdapter }>()

/**
 * The exchange port of a CCXT account. Reads the account (and its sealed keys) when first
 * used, so composing it costs nothing, and fills in what the venue needs that callers above the
 * port do not know: the symbol of an order looked up by client order id comes from our own
 * order book. It also holds the second key for real money: a LIVE account places nothing but
 * reduce-only orders unless LIVE_TRADING_ENABLED is true.
 */
export class LiveAccountExchange implements ExchangePort {
  readonly capabilities: ExchangeCapabilities
  /** Present only for venues whose adapter has a private order stream (callers test for it). */
  readonly watchOrderReports?: (handlers: OrderStreamHandlers, signal: AbortSignal) => Promise<void>

  constructor(
    private readonly db: Db,
    readonly accountId: string,
    venue: Venue,
  ) {
    this.capabilities = VENUE_CAPABILITIES[venue]
    if (VENUE_ORDER_STREAM[venue]) {
      this.watchOrderReports = async (handlers, signal) => {
        const adapter = await this.adapter()
        if (!adapter.watchOrderReports) throw new ExchangeError('this exchange adapter has no order stream', false)
        return adapter.watchOrderReports(handlers, signal)
      }
    }
  }

  async marketRules(symbol: string): Promise<MarketRules> {
    return (await this.adapter()).marketRules(symbol)
  }

  async placeOrder(req: PlaceOrderRequest): Promise<OrderReport> {
    const { adapter, mode } = await this.load()
    if (mode === 'LIVE' && !req.reduceOnly && !env().LIVE_TRADING_ENABLED) throw new ExchangeError(LIVE_TRADING_OFF, false)
    return adapter.placeOrder(req)
  }

  async replaceOrder(cancelClientOrderId: string, req: PlaceOrderRequest): Promise<{ canceled: OrderReport; placed: OrderReport }> {
    const { adapter, mode } = await this.load()
    if (mode === 'LIVE' && !req.reduceOnly && !env().LIVE_TRADING_ENABLED) throw new ExchangeError(LIVE_TRADING_OFF, false)
    if (!adapter.replaceOrder) throw new ExchangeError('this exchange cannot replace an order in one step', false)
    return adapter.replaceOrder(cancelClientOrderId, req)
  }

  /** A pair closing a position: reduce-only by nature, so the second key does not hold it back. */
  async placeOco(req: PlaceOcoRequest): Promise<{ target: OrderReport; stop: OrderReport }> {
    const adapter = await this.adapter()
    if (!adapter.placeOco) throw new ExchangeError('this exchange cannot place a one-cancels-the-other pair', false)
    return adapter.placeOco(req)
  }

  async cancelOrder(clientOrderId: string, hint?: OrderLookupHint): Promise<OrderReport> {
    return (await this.adapter()).cancelOrder(clientOrderId, hint ?? (await this.hintFor(clientOrderId)))
  }

  async fetchOrder(clientOrderId: string, hint?: OrderLookupHint): Promise<OrderReport | null> {
    return (await this.adapter()).fetchOrder(clientOrderId, hint ?? (await this.hintFor(clientOrderId)))
  }

  async fetchBalances(): Promise<Balance[]> {
    return (await this.adapter()).fetchBalances()
  }

  async fetchOpenOrders(symbols: string[]): Promise<OpenOrderReport[]> {
    const adapter = await this.adapter()
    if (!adapter.fetchOpenOrders) throw new ExchangeError('this exchange adapter cannot list open orders', false)
    return adapter.fetchOpenOrders(symbols)
  }

  async fetchRecentFills(symbols: string[], since: Date): Promise<RecentFill[]> {
    const adapter = await this.adapter()
    if (!adapter.fetchRecentFills) throw new ExchangeError('this exchange adapter cannot list recent fills', false)
    return adapter.fetchRecentFills(symbols, since)
  }

  async fetchOrderByExchangeId(exchangeOrderId: string, hint: OrderLookupHint): Promise<{ order: ExchangeOrderFacts; report: OrderReport } | null> {
    const adapter = await this.adapter()
    if (!adapter.fetchOrderByExchangeId) throw new ExchangeError('this exchange adapter cannot look an order up by its exchange id', false)
    return adapter.fetchOrderByExchangeId(exchangeOrderId, hint)
  }

  async fetchDailyVolumes(): Promise<VolumeTicker[]> {
    const adapter = await this.adapter()
    if (!adapter.fetchDailyVolumes) throw new ExchangeError('this exchange adapter cannot read 24 h volumes', false)
    return adapter.fetchDailyVolumes()
  }

  async checkConnection(): Promise<ConnectionCheck> {
    const adapter = await this.adapter()
    if (!adapter.checkConnection) throw new ExchangeError('this exchange adapter cannot check a connection', false)
    return adapter.checkConnection()
  }

  private async hintFor(clientOrderId: string): Promise<OrderLookupHint | undefined> {
    const o = await this.db.order.findUnique({ where: { clientOrderId }, select: { symbol: true } })
    return o ? { symbol: o.symbol } : undefined
  }

  private async adapter(): Promise<VenueAdapter> {
    return (await this.load()).adapter
  }

  private async load(): Promise<{ adapter: VenueAdapter; mode: 'TESTNET' | 'LIVE' }> {
    const a = await this.db.exchangeAccount.findUnique({
      where: { id: this.accountId },
      select: { id: true, kind: true, venue: true, mode: true, apiKeyEnc: true, secretEnc: true, baseUrl: true, updatedAt: true },
    })
    if (!a || a.kind !== 'CCXT' || !a.venue) throw new ExchangeError(`exchange account ${this.accountId} does not exist`, false)
    if (a.mode === 'PAPER') throw new ExchangeError(`exchange account ${this.accountId} has no TESTNET or LIVE mode`, false)
    if (!a.apiKeyEnc || !a.secretEnc) throw new ExchangeError('this exchange account has no API key: add one in Settings → Exchange accounts', false)
    const stamp = a.updatedAt.getTime()
    // What the adapter is built from: updatedAt alone also moves with every balance sync and halt,
    // and a rebuilt adapter reloads its markets and drops its order stream.
    const key = [a.venue, a.mode, a.apiKeyEnc, a.secretEnc, a.baseUrl ?? ''].join('\n')
    const cached = adapters.get(a.id)
    if (cached && cached.key === key) return { adapter: cached.adapter, mode: a.mode }
    const adapter = await buildVenueAdapter({
      accountId: a.id,
      venue: a.venue,
      mode: a.mode,
      apiKey: openSecret(a.apiKeyEnc),
      secret: openSecret(a.secretEnc),
      baseUrl: a.baseUrl,
    })
    // A concurrent load may have built one too: the newest stamp wins, the other is closed.
    const now = adapters.get(a.id)
    if (now && (now.key === key || now.stamp >= stamp)) {
      void adapter.close().catch(() => {})
      return { adapter: now.adapter, mode: a.mode }
    }
    adapters.set(a.id, { stamp, key, adapter })
    if (now) void now.adapter.close().catch(() => {})
    return { adapter, mode: a.mode }
  }
}

/** Closes every cached adapter (process shutdown, tests). */
export async function closeLiveAdapters(): Promise<void> {
  const all = [...adapters.values()]
  adapters.clear()
  await Promise.all(all.map((a) => a.adapter.close().catch(() => {})))
}

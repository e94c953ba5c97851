import type { SqlTx } from '@/lib/db/sql-tx'
import type { Decimal } from '@/lib/domain/decimal'
import type { MarketRules } from '@/lib/domain/market/precision'
import type { VolumeTicker } from '@/lib/domain/market/top-by-volume'
import type { OrderStatus } from '@/lib/domain/orders/order-lifecycle'
import type { OrderSide } from '@/lib/domain/positions/fill-ledger'

/**
 * The exchange port. The paper engine and the CCXT adapter implement it and are chosen
 * when the application is wired; nothing above it asks which one it is talking to.
 */
export type OrderType = 'MARKET' | 'LIMIT' | 'STOP_MARKET'

export interface PlaceOrderRequest {
  /** Persisted by the caller before this call: placing the same id twice is a no-op. */
  clientOrderId: string
  symbol: string
  side: OrderSide
  type: OrderType
  qty: Decimal
  price?: Decimal
  triggerPrice?: Decimal
  /** May only shrink an existing position; never rejected for lack of balance. */
  reduceOnly: boolean
}

/**
 * A one-cancels-the-other pair closing (part of) a position: a limit at the target that only
 * rests (never takes), and a stop as a STOP_MARKET would be sent, sharing one quantity. When
 * either trades (even partly) or is canceled, the exchange ends the other.
 */
export interface PlaceOcoRequest {
  /** Persisted by the caller before this call, like each leg's client order id. */
  listClientOrderId: string
  symbol: string
  side: OrderSide
  qty: Decimal
  target: { clientOrderId: string; price: Decimal }
  stop: { clientOrderId: string; triggerPrice: Decimal }
}

export interface ExchangeFill {
  /** The exchange's trade id: recording the same fill twice is impossible. */
  exchangeFillId: string
  qty: Decimal
  price: Decimal
  fee: Decimal
  feeAsset: string
  liquidity: 'MAKER' | 'TAKER'
  at: Date
}

/** What the exchange says about one order: its status and every fill so far. */
export interface OrderReport {
  clientOrderId: string
  exchangeOrderId: string | null
  status: OrderStatus
  filledQty: Decimal
  fills: ExchangeFill[]
  rejectReason?: string
}

/**
 * An order as the exchange describes it: what is needed to record one our database lacks
 * (restored from a backup, a lost write).
 */
export interface ExchangeOrderFacts {
  clientOrderId: string
  exchangeOrderId: string
  /** Ours: 'BASE/QUOTE'. */
  symbol: string
  side: OrderSide
  /**
   * As we would have placed it: a resting stop-limit (Binance STOP_LOSS_LIMIT, Coinbase
   * stop-limit) is our STOP_MARKET, as the adapters send it. null: a type we never place.
   */
  type: OrderType | null
  /** What the exchange calls it (STOP_LOSS_LIMIT, stop_limit_stop_limit_gtc...), for messages. */
  venueType: string
  qty: Decimal
  filledQty: Decimal
  /** The limit price (also of a stop-limit); null for market orders. */
  price: Decimal | null
  triggerPrice: Decimal | null
  /** The client id of the order list (OCO) it is a leg of; null when it stands alone. */
  listClientOrderId: string | null
}

/** One order working on the exchange, as ExchangePort.fetchOpenOrders lists it. */
export interface OpenOrderReport extends ExchangeOrderFacts {
  status: 'SUBMITTED' | 'PARTIALLY_FILLED'
}

/** One trade of the account, as ExchangePort.fetchRecentFills lists it. */
export interface RecentFill {
  symbol: string
  exchangeOrderId: string
  /** null where the venue's trade list does not carry it (Binance, Coinbase): look the order up. */
  clientOrderId: string | null
  fill: ExchangeFill
}

export interface Balance {
  asset: string
  /** Negative for a short in a paper (derivatives-style) account. */
  amount: Decimal
}

/** What an adapter can do natively; callers choose a strategy from this, never from the adapter's name. */
export interface ExchangeCapabilities {
  /** Selling what is not held (a derivatives-style account). Spot exchanges: false. */
  shortSelling: boolean
  /** A STOP_MARKET rests on the exchange itself and triggers there. */
  nativeStop: boolean
  /**
   * The native stop rests as a stop-limit, its limit this far beyond the trigger (see
   * stopLimitPrice): past that limit it cannot fill, and the worker exits at market instead.
   */
  stopLimitOffset?: Decimal
  /** One-cancels-the-other pairs (target + stop sharing one quantity). */
  oco: boolean
  /** Atomic cancel-and-replace of a resting order. */
  cancelReplace: boolean
}

/**
 * Where an order lives, for exchanges that can only look an order up within its market
 * (Binance needs the symbol with the client order id). Callers that know it pass it.
 */
export interface OrderLookupHint {
  symbol: string
}

/** What "Test connection" shows: the key works, what it holds, and what it is allowed to do. */
export interface ConnectionCheck {
  balances: Balance[]
  /** The key may place orders (spot trading enabled for it). */
  canTrade: boolean
  /** The key may withdraw funds: a risk worth a warning. null when the exchange does not say. */
  canWithdraw: boolean | null
}

/** What a private order stream hands its caller (ExchangePort.watchOrderReports). */
export interface OrderStreamHandlers {
  /**
   * The stream is subscribed (again): changes from now on are pushed. What happened before, and
   * while it was down, only a lookup (fetchOrder) can tell: reconcile after every call of this.
   */
  onSubscribed(): void
  /**
   * One change of one order, in the exchange's order; the next waits until this one resolves, and
   * a rejection ends the watch as a stream failure would. Unlike fetchOrder's report, `fills`
   * holds only the fills this change carries (at most one trade per Binance event; none from
   * Coinbase, whose stream names no trade), while
   * `filledQty` is the exchange's running total: together with the fills already recorded it
   * tells whether a fill event went missing, and then the order must be looked up. Reports
   * arrive for every order of the account, including orders that are not ours.
   */
  onReport(report: OrderReport): Promise<void>
}

export interface ExchangePort {
  readonly accountId: string
  /** Optional so test doubles need not declare it; absent reads as nothing native (all false). */
  readonly capabilities?: ExchangeCapabilities
  marketRules(symbol: string): Promise<MarketRules>
  /**
   * Resolves with REJECTED (and a reason) when the exchange refuses; throws ExchangeError on
   * transport failure. kind 'unknown' means it may have been executed: look it up by client
   * order id (fetchOrder), never place it again.
   */
  placeOrder(req: PlaceOrderRequest): Promise<OrderReport>
  /**
   * Optional: for an exchange that lives in our own database (the paper engine), placeOrder
   * whose report is handed to `apply` inside the same transaction as the placement, so the
   * exchange's side and our books commit (or roll back) together. The caller still applies the
   * report itself (through `apply`); an adapter that cannot share our transaction (any live
   * exchange) leaves this out and the caller uses placeOrder and then applies the report.
   * Given `within`, the placement runs in that transaction of the caller's (the one that
   * created the order) instead of one of its own: the order, its placement and their
   * bookkeeping then commit together, and an error rolls all of it back.
   */
  placeOrderAndApply?(req: PlaceOrderRequest, apply: (report: OrderReport, tx: SqlTx) => Promise<void>, within?: SqlTx): Promise<OrderReport>
  cancelOrder(clientOrderId: string, hint?: OrderLookupHint): Promise<OrderReport>
  /**
   * Venues with `cancelReplace`: cancels a resting order and places its replacement atomically.
   * Resolves with both reports (the new one REJECTED, with the reason, when the cancel went
   * through and the placement did not). Throws ExchangeError 'rejected' when nothing was replaced
   * (look the old order up), 'unknown' when the outcome is unknown (look both up; never re-send).
   */
  replaceOrder?(cancelClientOrderId: string, req: PlaceOrderRequest): Promise<{ canceled: OrderReport; placed: OrderReport }>
  /**
   * Venues with `oco`: places the pair in one request. Resolves with both legs' reports (both
   * REJECTED, with the reason, when the exchange refuses the pair); throws ExchangeError as
   * placeOrder does ('unknown': look both legs up by client order id, never re-send).
   */
  placeOco?(req: PlaceOcoRequest): Promise<{ target: OrderReport; stop: OrderReport }>
  /** null when the exchange never received the order. */
  fetchOrder(clientOrderId: string, hint?: OrderLookupHint): Promise<OrderReport | null>
  fetchBalances(): Promise<Balance[]>
  /**
   * Optional (live adapters): the orders working on the exchange in these markets, ours and
   * others'. Throws ExchangeError when the list cannot be read: an order missing from a failed
   * read is never to be taken as filled or canceled. Symbols the exchange does not list are skipped.
   */
  fetchOpenOrders?(symbols: string[]): Promise<OpenOrderReport[]>
  /**
   * Optional (live adapters): the account's trades in these markets since `since`, ours and
   * others', for finding orders of ours that ended while our database lacked them. Throws
   * ExchangeError when they cannot all be read. Symbols the exchange does not list are skipped.
   */
  fetchRecentFills?(symbols: string[], since: Date): Promise<RecentFill[]>
  /**
   * Optional, with fetchRecentFills: one order by the exchange's own id, described and reported
   * (status and every fill); null when the exchange does not know it.
   */
  fetchOrderByExchangeId?(exchangeOrderId: string, hint: OrderLookupHint): Promise<{ order: ExchangeOrderFacts; report: OrderReport } | null>
  /** Live adapters: an authenticated read of balances and the key's permissions. */
  checkConnection?(): Promise<ConnectionCheck>
  /**
   * Optional (live adapters): every market's 24 h ticker on this account's exchange, one request,
   * for ranking by volume (a top-N universe). The paper engine has none: it trades on the
   * market-data feed, which has its own.
   */
  fetchDailyVolumes?(): Promise<VolumeTicker[]>
  /**
   * Optional: order changes pushed by the exchange's private stream, for adapters whose venue
   * offers one (through ccxt pro). Resolves once `signal` aborts (or the adapter is closed);
   * rejects with an ExchangeError when the stream cannot subscribe or fails. It does not
   * reconnect: that, with backoff, is the caller's decision. Polling by fetchOrder stays the
   * fallback and the source of truth, since a stream loses what happens while it is down.
   */
  watchOrderReports?(handlers: OrderStreamHandlers, signal: AbortSignal): Promise<void>
}

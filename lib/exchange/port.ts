import type { Decimal } from '@/lib/domain/decimal'
import type { MarketRules } from '@/lib/domain/market/precision'
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

export interface Balance {
  asset: string
  /** Negative for a short in a paper (derivatives-style) account. */
  amount: Decimal
}

export interface ExchangePort {
  readonly accountId: string
  marketRules(symbol: string): Promise<MarketRules>
  /** Resolves with REJECTED (and a reason) when the exchange refuses; throws ExchangeError on transport failure. */
  placeOrder(req: PlaceOrderRequest): Promise<OrderReport>
  cancelOrder(clientOrderId: string): Promise<OrderReport>
  /** null when the exchange never received the order. */
  fetchOrder(clientOrderId: string): Promise<OrderReport | null>
  fetchBalances(): Promise<Balance[]>
}

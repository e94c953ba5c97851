import { dec, type Decimal } from '@/lib/domain/decimal'
import type { OrderStatus } from '@/lib/domain/orders/order-lifecycle'
import type { ExchangeFill, OrderReport } from '@/lib/exchange/port'

/**
 * Reports are built from Coinbase Advanced Trade's raw JSON (GET /orders/historical/{id},
 * /orders/historical/batch and /orders/historical/fills), not from ccxt's parsed numbers:
 * sizes, prices and commissions arrive as decimal strings and stay exact.
 */
export interface CoinbaseRawOrder {
  order_id: string
  client_order_id: string
  product_id: string
  side: string
  status: string
  /** Always in base units, also for quote-sized orders. */
  filled_size: string
  created_time?: string
  reject_reason?: string
  reject_message?: string
  cancel_message?: string
}

export interface CoinbaseRawFill {
  entry_id?: string
  trade_id: string
  order_id: string
  trade_time: string
  price: string
  size: string
  commission: string
  liquidity_indicator: string
  /** True when `size` is in quote units (quote-sized orders); this adapter only sends base sizes. */
  size_in_quote?: boolean
}

/**
 * Coinbase's order statuses, as ours. An order keeps working on the exchange until the engine has
 * acted, so the queued states (CANCEL_QUEUED, EDIT_QUEUED) are still open: it can fill before the
 * cancel is processed, and calling it CANCELED early would drop those fills.
 */
export function orderStatusFromCoinbase(status: string, filled: Decimal): OrderStatus {
  const working: OrderStatus = filled.gt(0) ? 'PARTIALLY_FILLED' : 'SUBMITTED'
  switch (status) {
    case 'PENDING': // accepted, not yet on the book
    case 'QUEUED':
    case 'OPEN':
    case 'CANCEL_QUEUED':
    case 'EDIT_QUEUED':
      return working
    case 'FILLED':
      return 'FILLED'
    case 'CANCELLED': // also the unfilled rest of an IOC market order, with its partial fills
      return 'CANCELED'
    case 'EXPIRED':
      return 'EXPIRED'
    case 'FAILED':
      return 'REJECTED'
    default:
      // UNKNOWN_ORDER_STATUS or a new value: not something to guess about.
      throw new Error(`unknown Coinbase order status "${status}"`)
  }
}

/** Fills of one order. `feeAsset` is the market's quote currency: Coinbase charges spot fees in quote. */
export function fillsFromCoinbase(fills: CoinbaseRawFill[], feeAsset: string): ExchangeFill[] {
  return fills.map((f) => {
    if (f.size_in_quote) throw new Error(`Coinbase fill ${f.trade_id} is sized in quote units; only base-sized orders are supported`)
    const liquidity = f.liquidity_indicator === 'MAKER' ? 'MAKER' : f.liquidity_indicator === 'TAKER' ? 'TAKER' : undefined
    if (!liquidity) throw new Error(`Coinbase fill ${f.trade_id} has liquidity indicator "${f.liquidity_indicator}"`)
    const at = new Date(f.trade_time)
    if (Number.isNaN(at.getTime())) throw new Error(`Coinbase fill ${f.trade_id} has an unreadable trade_time "${f.trade_time}"`)
    return { exchangeFillId: String(f.trade_id), qty: dec(f.size), price: dec(f.price), fee: dec(f.commission), feeAsset, liquidity, at }
  })
}

/**
 * The order's report. Coinbase's fill list can lag its order record (filled_size already counts a
 * match whose fill is not listed yet): then the report says only what the fills prove, and an
 * order that has ended is reported as still working, so it is read again rather than closed with
 * a fill missing from the books.
 */
export function orderReportFromCoinbase(raw: CoinbaseRawOrder, fills: ExchangeFill[]): OrderReport {
  const filled = dec(raw.filled_size || 0)
  const proven = fills.reduce((s, f) => s.plus(f.qty), dec(0))
  const lagging = proven.lt(filled)
  const filledQty = lagging ? proven : filled
  const status = lagging ? orderStatusFromCoinbase('OPEN', proven) : orderStatusFromCoinbase(raw.status, filledQty)
  const report: OrderReport = { clientOrderId: raw.client_order_id, exchangeOrderId: raw.order_id, status, filledQty, fills }
  if (status === 'REJECTED') {
    const why = [raw.reject_reason, raw.reject_message].filter((s) => s && s !== 'REJECT_REASON_UNSPECIFIED').join(': ')
    report.rejectReason = why || 'Coinbase reports the order FAILED'
  }
  return report
}

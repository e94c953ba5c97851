import { dec, type Decimal } from '@/lib/domain/decimal'
import type { OrderStatus } from '@/lib/domain/orders/order-lifecycle'
import type { OrderReport } from '@/lib/exchange/port'
import { orderStatusFromCoinbase } from './order-report-from-coinbase'

/**
 * The fields we read of one order in a Coinbase Advanced Trade websocket `user` channel event
 * (`{"channel":"user","events":[{"type":"snapshot"|"update","orders":[...]}]}`). Quantities are
 * decimal strings and stay exact. The channel carries per-order running totals, not trades.
 */
export interface CoinbaseUserOrder {
  order_id: string
  client_order_id: string
  /** Base units filled so far. */
  cumulative_quantity: string
  leaves_quantity?: string
  /** Average price of everything filled so far (not the last trade's). */
  avg_price?: string
  /** Fees of everything filled so far. */
  total_fees?: string
  status: string
  product_id: string
  reject_reason?: string
  cancel_reason?: string
}

/**
 * One order update as an order report with stream semantics (see OrderStreamHandlers.onReport):
 * `filledQty` is Coinbase's running total and `fills` is always empty.
 *
 * Why no fills: the user channel names no trade (no trade id, no trade price, no per-trade fee;
 * avg_price and total_fees are cumulative), and a fill is keyed by the exchange's trade id. A
 * fill made up from the difference of two updates would carry an invented id and a derived
 * price, and could never be matched to the real trade later. So a report whose running total is
 * more than the fills we hold makes the worker look the order up (OrderStream: "a fill event went
 * missing"), and REST's fills endpoint books the exact trades; a report that changes only the
 * status (a cancel, an expiry) with nothing new filled is applied as it is.
 *
 * null when the update cannot be read (a status we do not know, a malformed quantity): that is
 * not something to guess about, and polling settles the order.
 */
export function orderReportFromCoinbaseUserOrder(o: CoinbaseUserOrder): OrderReport | null {
  let filledQty: Decimal
  let status: OrderStatus
  try {
    filledQty = dec(o.cumulative_quantity || 0)
    status = orderStatusFromCoinbase(o.status, filledQty)
  } catch {
    return null
  }
  if (!o.client_order_id || !o.order_id) return null
  const report: OrderReport = { clientOrderId: o.client_order_id, exchangeOrderId: o.order_id, status, filledQty, fills: [] }
  if (status === 'REJECTED') {
    const why = o.reject_reason && o.reject_reason !== 'REJECT_REASON_UNSPECIFIED' ? o.reject_reason : ''
    report.rejectReason = why ? `Coinbase: ${why}` : 'Coinbase reports the order FAILED'
  }
  return report
}

import { dec } from '@/lib/domain/decimal'
import type { ExchangeFill, OrderReport } from '@/lib/exchange/port'
import { orderStatusFromBinance } from './order-report-from-binance'

/**
 * The fields we read of Binance's spot `executionReport` (user data stream), as it arrives: the
 * WebSocket API wraps it as `{ subscriptionId, event: {...} }` and ccxt pro unwraps it.
 * Quantities, prices and commissions are decimal strings and stay exact.
 */
export interface BinanceExecutionReport {
  e: 'executionReport'
  /** Client order id; for a cancel, the id of the cancel request (the order's own id is in C). */
  c: string
  /** Original client order id: the order being canceled; "" (or null) otherwise. */
  C?: string | null
  /** Execution type: NEW, CANCELED, REPLACED, REJECTED, TRADE, EXPIRED, TRADE_PREVENTION. */
  x: string
  /** Order status after this execution. */
  X: string
  /** Reject reason ("NONE" unless rejected). */
  r?: string
  /** Order id. */
  i: number | string
  /** Last executed quantity and price (the trade of a TRADE event). */
  l: string
  L: string
  /** Cumulative filled quantity. */
  z: string
  /** Commission of this trade and its asset (null without a trade). */
  n: string
  N: string | null
  /** Transaction time. */
  T: number
  /** Trade id, -1 without a trade. */
  t: number | string
  /** This trade was the maker side. */
  m: boolean
}

/**
 * One execution report as an order report with stream semantics (see OrderStreamHandlers.onReport):
 * `fills` holds this event's trade only, `filledQty` the exchange's cumulative quantity `z`. The
 * client order id is the order's own: `C` for a cancel (where `c` names the cancel request).
 */
export function orderReportFromExecutionReport(ev: BinanceExecutionReport): OrderReport {
  const original = typeof ev.C === 'string' && ev.C !== '' ? ev.C : null
  const tradeId = String(ev.t)
  const fills: ExchangeFill[] =
    ev.x === 'TRADE' && tradeId !== '-1'
      ? [
          {
            exchangeFillId: tradeId,
            qty: dec(ev.l),
            price: dec(ev.L),
            fee: dec(ev.n),
            feeAsset: ev.N ?? '',
            liquidity: ev.m ? 'MAKER' : 'TAKER',
            at: new Date(ev.T),
          },
        ]
      : []
  const report: OrderReport = {
    clientOrderId: original ?? ev.c,
    exchangeOrderId: String(ev.i),
    status: orderStatusFromBinance(ev.X),
    filledQty: dec(ev.z),
    fills,
  }
  if (ev.X === 'REJECTED' && ev.r && ev.r !== 'NONE') report.rejectReason = `Binance: ${ev.r}`
  return report
}

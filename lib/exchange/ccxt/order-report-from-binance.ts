import { dec } from '@/lib/domain/decimal'
import type { OrderStatus } from '@/lib/domain/orders/order-lifecycle'
import type { ExchangeFill, OrderReport } from '@/lib/exchange/port'

/**
 * Reports are built from Binance's raw JSON (ccxt's `order.info`), not from ccxt's parsed
 * numbers: quantities, prices and commissions arrive as decimal strings and stay exact.
 */
export interface BinanceRawOrder {
  orderId: number | string
  clientOrderId: string
  status: string
  executedQty: string
  transactTime?: number
  updateTime?: number
  fills?: { price: string; qty: string; commission: string; commissionAsset: string; tradeId: number | string }[]
}

export interface BinanceRawTrade {
  id: number | string
  orderId: number | string
  price: string
  qty: string
  commission: string
  commissionAsset: string
  time: number
  isMaker: boolean
}

const STATUS: Record<string, OrderStatus> = {
  NEW: 'SUBMITTED',
  PENDING_NEW: 'SUBMITTED', // an order list leg not yet working
  PARTIALLY_FILLED: 'PARTIALLY_FILLED',
  FILLED: 'FILLED',
  CANCELED: 'CANCELED',
  PENDING_CANCEL: 'CANCELED', // unused by Binance today; the cancel has been accepted
  REJECTED: 'REJECTED',
  EXPIRED: 'EXPIRED', // also a market order that ran out of liquidity, with its partial fills
  EXPIRED_IN_MATCH: 'EXPIRED', // self-trade prevention
}

export function orderStatusFromBinance(status: string): OrderStatus {
  const s = STATUS[status]
  if (!s) throw new Error(`unknown Binance order status "${status}"`)
  return s
}

/** Fills of the create reply (newOrderRespType FULL): immediate matches, so always taker. */
export function fillsFromFullResponse(raw: BinanceRawOrder): ExchangeFill[] {
  const at = new Date(raw.transactTime ?? raw.updateTime ?? Date.now())
  return (raw.fills ?? []).map((f) => ({
    exchangeFillId: String(f.tradeId),
    qty: dec(f.qty),
    price: dec(f.price),
    fee: dec(f.commission),
    feeAsset: f.commissionAsset,
    liquidity: 'TAKER',
    at,
  }))
}

export function fillsFromTrades(trades: BinanceRawTrade[]): ExchangeFill[] {
  return trades.map((t) => ({
    exchangeFillId: String(t.id),
    qty: dec(t.qty),
    price: dec(t.price),
    fee: dec(t.commission),
    feeAsset: t.commissionAsset,
    liquidity: t.isMaker ? 'MAKER' : 'TAKER',
    at: new Date(t.time),
  }))
}

export function orderReportFromBinance(raw: BinanceRawOrder, fills: ExchangeFill[]): OrderReport {
  return {
    clientOrderId: raw.clientOrderId,
    exchangeOrderId: String(raw.orderId),
    status: orderStatusFromBinance(raw.status),
    filledQty: dec(raw.executedQty),
    fills,
  }
}

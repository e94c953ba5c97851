import { z } from 'zod'
import { dec } from '@/lib/domain/decimal'
import type { OpenOrderReport, OrderType } from '@/lib/exchange/port'

const decimal = z.string().regex(/^\d+(\.\d+)?$/)

/** One entry of GET /api/v3/openOrders (ccxt's `order.info`), the fields we read. */
const ZBinanceOpenOrder = z.object({
  orderId: z.union([z.number(), z.string()]),
  clientOrderId: z.string(),
  side: z.enum(['BUY', 'SELL']),
  type: z.string(),
  price: decimal,
  origQty: decimal,
  executedQty: decimal,
  stopPrice: decimal.optional(),
})

/**
 * Binance's order types as we place them: a stop goes out as STOP_LOSS_LIMIT (see
 * BinanceSpotExchange.prepare), so it reads back as our STOP_MARKET. Take-profit triggers we
 * never send: null.
 */
const TYPE: Record<string, OrderType | null> = {
  MARKET: 'MARKET',
  LIMIT: 'LIMIT',
  LIMIT_MAKER: 'LIMIT',
  STOP_LOSS: 'STOP_MARKET',
  STOP_LOSS_LIMIT: 'STOP_MARKET',
  TAKE_PROFIT: null,
  TAKE_PROFIT_LIMIT: null,
}

/** An open order as Binance lists it, in `symbol` (ours, 'BASE/QUOTE': the market it was asked for). */
export function openOrderFromBinance(raw: unknown, symbol: string): OpenOrderReport {
  const o = ZBinanceOpenOrder.parse(raw)
  const filledQty = dec(o.executedQty)
  const positive = (v: string | undefined) => (v !== undefined && dec(v).gt(0) ? dec(v) : null)
  return {
    clientOrderId: o.clientOrderId,
    exchangeOrderId: String(o.orderId),
    symbol,
    side: o.side,
    type: TYPE[o.type] ?? null,
    venueType: o.type,
    qty: dec(o.origQty),
    filledQty,
    price: positive(o.price),
    triggerPrice: positive(o.stopPrice),
    // The list holds working orders only (NEW, PARTIALLY_FILLED, a pending order-list leg).
    status: filledQty.gt(0) ? 'PARTIALLY_FILLED' : 'SUBMITTED',
  }
}

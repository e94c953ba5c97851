import { z } from 'zod'
import { dec } from '@/lib/domain/decimal'
import type { ExchangeOrderFacts, OpenOrderReport, OrderType } from '@/lib/exchange/port'

const decimal = z.string().regex(/^\d+(\.\d+)?$/)

/** One entry of GET /api/v3/openOrders or GET /api/v3/order (ccxt's `order.info`), the fields we read. */
const ZBinanceOpenOrder = z.object({
  orderId: z.union([z.number(), z.string()]),
  clientOrderId: z.string(),
  side: z.enum(['BUY', 'SELL']),
  type: z.string(),
  price: decimal,
  origQty: decimal,
  executedQty: decimal,
  stopPrice: decimal.optional(),
  /** -1 when the order is not a leg of an order list (OCO). */
  orderListId: z.number().int().optional(),
})

/** GET /api/v3/orderList: what we read of one order list. */
export const ZBinanceOrderList = z.object({ orderListId: z.number().int(), listClientOrderId: z.string() })

/** The order list (OCO) a raw order is a leg of, or null. */
export function binanceOrderListId(raw: unknown): number | null {
  const id = ZBinanceOpenOrder.parse(raw).orderListId
  return id === undefined || id === -1 ? null : id
}

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

/** An order as Binance describes it, in `symbol` (ours, 'BASE/QUOTE': the market it was asked for). */
export function orderFactsFromBinance(raw: unknown, symbol: string, listClientOrderId: string | null): ExchangeOrderFacts {
  const o = ZBinanceOpenOrder.parse(raw)
  const positive = (v: string | undefined) => (v !== undefined && dec(v).gt(0) ? dec(v) : null)
  return {
    clientOrderId: o.clientOrderId,
    exchangeOrderId: String(o.orderId),
    symbol,
    side: o.side,
    type: TYPE[o.type] ?? null,
    venueType: o.type,
    qty: dec(o.origQty),
    filledQty: dec(o.executedQty),
    price: positive(o.price),
    triggerPrice: positive(o.stopPrice),
    listClientOrderId,
  }
}

/** An open order as Binance lists it; `listClientOrderId` read from its order list, if any. */
export function openOrderFromBinance(raw: unknown, symbol: string, listClientOrderId: string | null = null): OpenOrderReport {
  const facts = orderFactsFromBinance(raw, symbol, listClientOrderId)
  // The list holds working orders only (NEW, PARTIALLY_FILLED, a pending order-list leg).
  return { ...facts, status: facts.filledQty.gt(0) ? 'PARTIALLY_FILLED' : 'SUBMITTED' }
}

import { z } from 'zod'
import { dec, type Decimal } from '@/lib/domain/decimal'
import type { ExchangeOrderFacts, OpenOrderReport, OrderType } from '@/lib/exchange/port'
import { orderStatusFromCoinbase } from './order-report-from-coinbase'

const decimal = z.string().regex(/^\d+(\.\d+)?$/)

/** One order of GET /api/v3/brokerage/orders/historical/batch?order_status=OPEN, the fields we read. */
const ZCoinbaseOpenOrder = z.object({
  order_id: z.string(),
  client_order_id: z.string(),
  side: z.enum(['BUY', 'SELL']),
  status: z.string(),
  filled_size: decimal.or(z.literal('')).optional(),
  // Exactly one configuration, named for the order's type and time in force.
  order_configuration: z.record(
    z.string(),
    z.object({ base_size: decimal.optional(), limit_price: decimal.optional(), stop_price: decimal.optional(), stop_direction: z.string().optional() }).loose(),
  ),
})

/**
 * An order as Coinbase describes it, in `symbol` (ours, the market of its product_id). Types are
 * read as we place them: a stop-limit that triggers against the position (STOP_DOWN for a sell,
 * STOP_UP for a buy: what ccxt sends for stopLossPrice) is our STOP_MARKET; limit configurations
 * are LIMIT; anything else (brackets, a stop the other way, a quote-sized order) we never send: null.
 */
export function orderFactsFromCoinbase(raw: unknown, symbol: string): ExchangeOrderFacts {
  return factsOf(ZCoinbaseOpenOrder.parse(raw), symbol)
}

/** An open order as Coinbase lists it (see orderFactsFromCoinbase); one that has ended is an error. */
export function openOrderFromCoinbase(raw: unknown, symbol: string): OpenOrderReport {
  const o = ZCoinbaseOpenOrder.parse(raw)
  const facts = factsOf(o, symbol)
  const status = orderStatusFromCoinbase(o.status, facts.filledQty)
  if (status !== 'SUBMITTED' && status !== 'PARTIALLY_FILLED') throw new Error(`Coinbase listed order ${o.order_id} as open, but it is ${o.status}`)
  return { ...facts, status }
}

function factsOf(o: z.infer<typeof ZCoinbaseOpenOrder>, symbol: string): ExchangeOrderFacts {
  const [venueType = 'none', cfg = {}] = Object.entries(o.order_configuration)[0] ?? []
  const filledQty = dec(o.filled_size || 0)
  const d = (v: string | undefined): Decimal | null => (v !== undefined ? dec(v) : null)
  const stopAgainst = o.side === 'SELL' ? 'STOP_DIRECTION_STOP_DOWN' : 'STOP_DIRECTION_STOP_UP'
  let type: OrderType | null = null
  if (cfg.base_size !== undefined) {
    if (venueType.startsWith('market_')) type = 'MARKET'
    else if (/^(limit_limit_|sor_limit_)/.test(venueType)) type = 'LIMIT'
    else if (venueType.startsWith('stop_limit_') && cfg.stop_direction === stopAgainst) type = 'STOP_MARKET'
  }
  return {
    clientOrderId: o.client_order_id,
    exchangeOrderId: o.order_id,
    symbol,
    side: o.side,
    type,
    venueType,
    qty: d(cfg.base_size) ?? filledQty,
    filledQty,
    price: d(cfg.limit_price),
    triggerPrice: d(cfg.stop_price),
    listClientOrderId: null, // Coinbase has no order lists (no OCO)
  }
}

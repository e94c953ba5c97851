import { dec, ZERO, type Decimal } from '@/lib/domain/decimal'
import { known, unavailable, type Metric } from '@/lib/domain/performance/metric'

export type OrderSide = 'BUY' | 'SELL'
export type OrderStatus = 'NEW' | 'SUBMITTED' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED'

/** How reconciliation begins the reject reason of an order it declared lost (the exchange never knew it). */
export const LOST_REASON_PREFIX = 'lost:'

const BPS = dec(10_000)

/**
 * Slippage of a price against the price expected when the order was decided, in basis points,
 * signed so that positive is worse for us: a buy above the expected price, a sell below it.
 */
export function slippageBps(side: OrderSide, expected: Decimal, price: Decimal): Decimal {
  const worse = side === 'BUY' ? price.minus(expected) : expected.minus(price)
  return worse.div(expected).mul(BPS)
}

/**
 * What became of an order, for the success and error rates: FILLED when anything filled,
 * LOST when reconciliation gave it up (the exchange never knew it), REJECTED when refused with
 * nothing filled; CANCELED/EXPIRED unfilled orders (a stop taken off) and working ones count as
 * neither success nor failure (OTHER).
 */
export type OrderOutcome = 'FILLED' | 'REJECTED' | 'LOST' | 'OTHER'

export function orderOutcome(o: { status: OrderStatus; filledQty: Decimal; rejectReason: string | null }): OrderOutcome {
  if (o.filledQty.gt(0)) return 'FILLED'
  if (o.status !== 'REJECTED') return 'OTHER'
  return o.rejectReason?.startsWith(LOST_REASON_PREFIX) ? 'LOST' : 'REJECTED'
}

/**
 * The account modes whose orders go to an exchange. A paper account's refusals come from the
 * paper engine (short of paper balance, say): they are not exchange errors and count toward no
 * exchange error rate.
 */
export const EXCHANGE_MODES = ['TESTNET', 'LIVE'] as const
export const isExchangeMode = (mode: string): boolean => (EXCHANGE_MODES as readonly string[]).includes(mode)

/** An order with what execution quality needs; times in epoch ms. */
export interface ExecutionOrder {
  side: OrderSide
  status: OrderStatus
  filledQty: Decimal
  rejectReason: string | null
  expectedPrice: Decimal | null
  createdAt: number
  /** When the decision behind it was taken (an automated entry); null otherwise. */
  decidedAt: number | null
  fills: readonly { price: Decimal; qty: Decimal; at: number }[]
}

export interface OrderQuality {
  outcome: OrderOutcome
  /** Of the quantity-weighted average fill price; null without fills or an expected price. */
  slippageBps: Decimal | null
  /** Order row written minus the decision; null when no decision is behind it. */
  decisionToOrderMs: number | null
  /** First fill minus the order row written; null without fills. */
  orderToFillMs: number | null
}

export function orderQuality(o: ExecutionOrder): OrderQuality {
  const filledQty = o.fills.reduce((s, f) => s.plus(f.qty), ZERO)
  const avg = filledQty.gt(0) ? o.fills.reduce((s, f) => s.plus(f.price.mul(f.qty)), ZERO).div(filledQty) : null
  const firstFill = o.fills.length ? Math.min(...o.fills.map((f) => f.at)) : null
  return {
    outcome: orderOutcome(o),
    slippageBps: avg && o.expectedPrice ? slippageBps(o.side, o.expectedPrice, avg) : null,
    decisionToOrderMs: o.decidedAt === null ? null : o.createdAt - o.decidedAt,
    orderToFillMs: firstFill === null ? null : firstFill - o.createdAt,
  }
}

/**
 * Nearest-rank percentile (the smallest value with at least p of the values at or below it):
 * always one of the values, no interpolation. p in (0, 1].
 */
export function percentile<T extends Decimal | number>(values: readonly T[], p: number): T | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => (typeof a === 'number' ? a - (b as number) : (a as Decimal).cmp(b as Decimal)))
  const rank = Math.max(1, Math.ceil(p * sorted.length))
  return sorted[rank - 1]!
}

export interface ExecutionAggregate {
  orders: number
  filled: number
  rejected: number
  lost: number
  /** Filled orders that had an expected price (slippage is measured on these). */
  measured: number
  slippageP50Bps: Metric
  slippageP95Bps: Metric
  /** Average slippage weighted by each order's filled notional at its expected price. */
  slippageAvgBps: Metric
  decisionToOrderP50Ms: number | null
  decisionToOrderP95Ms: number | null
  orderToFillP50Ms: number | null
  orderToFillP95Ms: number | null
  /** filled / (filled + rejected + lost). */
  successRate: Metric
  /** (rejected + lost) / all orders, for orders sent to an exchange. */
  errorRate: Metric
}

/** `exchange`: the orders were sent to an exchange (isExchangeMode of their account's mode). */
export function aggregateExecution(orders: readonly ExecutionOrder[], o: { exchange: boolean }): ExecutionAggregate {
  const q = orders.map((o) => ({ o, q: orderQuality(o) }))
  const count = (k: OrderOutcome) => q.filter((x) => x.q.outcome === k).length
  const filled = count('FILLED')
  const rejected = count('REJECTED')
  const lost = count('LOST')
  const slipped = q.filter((x) => x.q.slippageBps !== null)
  const slips = slipped.map((x) => x.q.slippageBps!)
  const weights = slipped.map((x) => x.o.fills.reduce((s, f) => s.plus(f.qty), ZERO).mul(x.o.expectedPrice!))
  const totalWeight = weights.reduce((s, w) => s.plus(w), ZERO)
  const noFills = unavailable('no filled order with an expected price')
  const ms = (pick: (x: OrderQuality) => number | null) => q.map((x) => pick(x.q)).filter((v): v is number => v !== null)
  const toOrder = ms((x) => x.decisionToOrderMs)
  const toFill = ms((x) => x.orderToFillMs)
  const settled = filled + rejected + lost
  return {
    orders: orders.length,
    filled,
    rejected,
    lost,
    measured: slips.length,
    slippageP50Bps: slips.length ? known(percentile(slips, 0.5)!) : noFills,
    slippageP95Bps: slips.length ? known(percentile(slips, 0.95)!) : noFills,
    slippageAvgBps: totalWeight.gt(0) ? known(slips.reduce((s, v, i) => s.plus(v.mul(weights[i]!)), ZERO).div(totalWeight)) : noFills,
    decisionToOrderP50Ms: percentile(toOrder, 0.5),
    decisionToOrderP95Ms: percentile(toOrder, 0.95),
    orderToFillP50Ms: percentile(toFill, 0.5),
    orderToFillP95Ms: percentile(toFill, 0.95),
    successRate: settled ? known(dec(filled).div(settled)) : unavailable('no order filled, was rejected or was lost'),
    errorRate: !o.exchange
      ? unavailable('paper orders are not sent to an exchange: their refusals are not exchange errors')
      : orders.length
        ? known(dec(rejected + lost).div(orders.length))
        : unavailable('no orders'),
  }
}

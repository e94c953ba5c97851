import { ZERO, type Decimal } from '@/lib/domain/decimal'

/**
 * Paper accounts trade without leverage, as a 1x derivatives account would: after an order
 * that adds exposure, gross exposure (longs and shorts at mark, plus what resting orders
 * would add) may not exceed equity. Pure, so the rule is tested on its own.
 */
export interface MarginState {
  /** Quote-currency cash (free + locked). */
  cash: Decimal
  /** Base holdings valued at mark: negative for shorts. */
  holdings: { qty: Decimal; mark: Decimal }[]
  /** Exposure that accepted resting orders would add when they fill. */
  reserved: Decimal
}

export function equity(s: MarginState): Decimal {
  return s.holdings.reduce((e, h) => e.plus(h.qty.mul(h.mark)), s.cash)
}

export function grossExposure(s: MarginState): Decimal {
  return s.holdings.reduce((g, h) => g.plus(h.qty.abs().mul(h.mark)), ZERO)
}

/** Equity not yet backing exposure or resting orders. */
export function freeMargin(s: MarginState): Decimal {
  return equity(s).minus(grossExposure(s)).minus(s.reserved)
}

/**
 * Margin an order needs: the exposure it adds (what it does not offset of an opposite
 * holding in the same asset) plus its fee.
 */
export function marginNeeded(currentQty: Decimal, deltaQty: Decimal, price: Decimal, fee: Decimal): Decimal {
  const added = currentQty.plus(deltaQty).abs().minus(currentQty.abs())
  return (added.gt(0) ? added.mul(price) : ZERO).plus(fee)
}

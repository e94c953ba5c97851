import type { Decimal } from '@/lib/domain/decimal'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'

/** An exchange market's trading constraints, all in the units the exchange uses. */
export interface MarketRules {
  symbol: string
  base: string
  quote: string
  tickSize: Decimal
  stepSize: Decimal
  minQty: Decimal
  minNotional: Decimal
}

export type RoundingDirection = 'UP' | 'DOWN'
export type PriceKind = 'STOP' | 'TAKE_PROFIT' | 'ENTRY_LIMIT'

function assertPositiveIncrement(increment: Decimal, name: string): void {
  // A zero or negative tick/step is a broken market definition, not a user input problem.
  if (!increment.gt(0)) throw new RangeError(`${name} must be greater than 0, got ${increment.toFixed()}`)
}

export function isMultipleOf(x: Decimal, step: Decimal): boolean {
  assertPositiveIncrement(step, 'step')
  // decimal.js computes the remainder exactly (integer quotient first), so no float drift.
  return x.mod(step).isZero()
}

/** Quantities always go DOWN to the step: never sell or spend more than asked or held. */
export function truncateQtyToStep(qty: Decimal, step: Decimal): Decimal {
  assertPositiveIncrement(step, 'step size')
  return roundToIncrement(qty, step, 'DOWN')
}

export function roundPriceToTick(price: Decimal, tick: Decimal, direction: RoundingDirection): Decimal {
  assertPositiveIncrement(tick, 'tick size')
  return roundToIncrement(price, tick, direction)
}

function roundToIncrement(x: Decimal, increment: Decimal, direction: RoundingDirection): Decimal {
  const onGrid = x.divToInt(increment).mul(increment) // toward zero
  const remainder = x.minus(onGrid)
  if (remainder.isZero()) return onGrid
  if (direction === 'DOWN') return remainder.isNeg() ? onGrid.minus(increment) : onGrid
  return remainder.isPos() ? onGrid.plus(increment) : onGrid
}

/**
 * Which way a price goes onto the tick grid so that rounding never hurts the user: stops move
 * toward the market (a smaller loss), take-profits toward the market (they fill sooner), and a
 * limit entry away from it (never pay more, or sell for less, than asked).
 */
const SAFE_PRICE_ROUNDING: Record<PositionSide, Record<PriceKind, RoundingDirection>> = {
  LONG: { STOP: 'UP', TAKE_PROFIT: 'DOWN', ENTRY_LIMIT: 'DOWN' },
  SHORT: { STOP: 'DOWN', TAKE_PROFIT: 'UP', ENTRY_LIMIT: 'UP' },
}

export function priceRoundingFor(positionSide: PositionSide, kind: PriceKind): RoundingDirection {
  return SAFE_PRICE_ROUNDING[positionSide][kind]
}

/** Why the exchange would reject this order size; empty when it is acceptable. */
export function checkOrderSize(rules: MarketRules, qty: Decimal, price: Decimal): string[] {
  const market = `${rules.base}/${rules.quote}`
  const problems: string[] = []
  if (!qty.gt(0)) {
    problems.push(`quantity ${qty.toFixed()} must be greater than 0 for ${market}`)
    return problems
  }
  if (qty.lt(rules.minQty)) {
    problems.push(`quantity ${qty.toFixed()} is below the minimum ${rules.minQty.toFixed()} for ${market}`)
  }
  const notional = qty.mul(price)
  if (notional.lt(rules.minNotional)) {
    problems.push(
      `order value ${notional.toFixed()} ${rules.quote} (${qty.toFixed()} × ${price.toFixed()}) is below the minimum ${rules.minNotional.toFixed()} ${rules.quote} for ${market}`,
    )
  }
  if (!isMultipleOf(qty, rules.stepSize)) {
    problems.push(
      `quantity ${qty.toFixed()} is not a multiple of the step size ${rules.stepSize.toFixed()} for ${market} (${truncateQtyToStep(qty, rules.stepSize).toFixed()} would be)`,
    )
  }
  return problems
}

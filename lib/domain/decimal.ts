import { Decimal as DecimalJs } from 'decimal.js'

/**
 * The domain's own decimal.js clone, so its settings cannot be changed by other code that
 * configures the global constructor. 40 significant digits keeps intermediate averages exact
 * far beyond any exchange precision; the exponent limits keep `toString()` in plain notation
 * for every realistic price and quantity (1e-8 prints as "0.00000001").
 */
export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_UP,
  toExpNeg: -30,
  toExpPos: 40,
})
export type Decimal = DecimalJs
// Type-only namespace so callers can write `Decimal.Value`, as with decimal.js itself.
export declare namespace Decimal {
  type Value = DecimalJs.Value
}

/**
 * Builds a domain Decimal. Numbers are read through their shortest string form, so `dec(0.1)`
 * is exactly 0.1; prefer strings for anything that did not start life as a literal.
 * Decimals from another decimal.js copy (e.g. Prisma's) are re-created here so that every
 * later operation uses this module's precision and rounding.
 */
export function dec(v: Decimal.Value): Decimal {
  return new Decimal(v)
}

export const ZERO: Decimal = new Decimal(0)

export function sumDec(values: readonly Decimal[]): Decimal {
  return values.reduce<Decimal>((acc, v) => acc.plus(v), ZERO)
}

export function minDec(first: Decimal, ...rest: Decimal[]): Decimal {
  return rest.reduce((m, v) => (v.lt(m) ? v : m), first)
}

export function maxDec(first: Decimal, ...rest: Decimal[]): Decimal {
  return rest.reduce((m, v) => (v.gt(m) ? v : m), first)
}

/** A `toFixed` string with trailing zeros trimmed down to `minDp` places (padded up to them when it has none). */
export function trimZeros(fixed: string, minDp: number): string {
  const dot = fixed.indexOf('.')
  if (dot < 0) return minDp > 0 ? `${fixed}.${'0'.repeat(minDp)}` : fixed
  let end = fixed.length
  while (end > dot + 1 + minDp && fixed[end - 1] === '0') end--
  return end === dot + 1 ? fixed.slice(0, dot) : fixed.slice(0, end)
}

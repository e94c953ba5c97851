import { ZERO, type Decimal } from '@/lib/domain/decimal'

/** Arithmetic mean; null for no values. */
export function mean(values: readonly Decimal[]): Decimal | null {
  if (values.length === 0) return null
  return values.reduce<Decimal>((s, v) => s.plus(v), ZERO).div(values.length)
}

/**
 * Sample standard deviation (n − 1 in the denominator, as pandas' and quantstats' `std()`);
 * null with fewer than two values.
 */
export function sampleStdDev(values: readonly Decimal[]): Decimal | null {
  const m = mean(values)
  if (m === null || values.length < 2) return null
  const squares = values.reduce<Decimal>((s, v) => s.plus(v.minus(m).pow(2)), ZERO)
  return squares.div(values.length - 1).sqrt()
}

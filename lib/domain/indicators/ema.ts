import { dec, sumDec, type Decimal } from '@/lib/domain/decimal'

/**
 * Exponential smoothing seeded with the simple average of the first `period` values:
 * s[0] = mean(values[0..period-1]), then s[i] = s[i-1] + alpha × (value − s[i-1]).
 * `result[i]` belongs to `values[i + period - 1]`; fewer than `period` values give [].
 * EMA and Wilder's smoothing (ATR) differ only in alpha.
 */
export function exponentialSmoothing(values: readonly Decimal[], period: number, alpha: Decimal): Decimal[] {
  if (!Number.isInteger(period) || period < 1) throw new RangeError(`period must be a positive integer, got ${period}`)
  if (values.length < period) return []
  const out: Decimal[] = [sumDec(values.slice(0, period)).div(period)]
  for (const v of values.slice(period)) {
    const prev = out[out.length - 1]
    out.push(prev.plus(v.minus(prev).mul(alpha)))
  }
  return out
}

/** Exponential moving average with alpha = 2 / (period + 1); aligned as in exponentialSmoothing. */
export function ema(values: readonly Decimal[], period: number): Decimal[] {
  return exponentialSmoothing(values, period, dec(2).div(period + 1))
}

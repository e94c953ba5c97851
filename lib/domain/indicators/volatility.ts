import { dec, type Decimal } from '@/lib/domain/decimal'

/**
 * Sample standard deviation (n − 1) of the log returns ln(close[i] / close[i−1]), as a fraction
 * per bar (0.01 = 1 %). Needs at least 3 closes (2 returns); fewer give null. Prices are
 * positive by definition, so a non-positive close is broken data and throws.
 *
 * An indicator, not money: it is computed in binary floating point, good to about 15 significant
 * digits where the decision context shows 6. decimal.js's 40-digit ln took about 10 ms per 100
 * closes, half of a decision's budget.
 */
export function logReturnVolatility(closes: readonly Decimal[]): Decimal | null {
  const bad = closes.find((c) => !c.gt(0))
  if (bad !== undefined) throw new RangeError(`closes must be greater than 0, got ${bad.toFixed()}`)
  if (closes.length < 3) return null
  const px = closes.map((c) => c.toNumber())
  const returns = px.slice(1).map((c, i) => Math.log(c / px[i]!))
  const mean = returns.reduce((s, r) => s + r, 0) / returns.length
  const variance = returns.reduce((s, r) => s + (r - mean) ** 2, 0) / (returns.length - 1)
  return dec(Math.sqrt(variance))
}

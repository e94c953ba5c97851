import { sumDec, type Decimal } from '@/lib/domain/decimal'

/**
 * Sample standard deviation (n − 1) of the log returns ln(close[i] / close[i−1]), as a fraction
 * per bar (0.01 = 1 %). Needs at least 3 closes (2 returns); fewer give null. Prices are
 * positive by definition, so a non-positive close is broken data and throws.
 */
export function logReturnVolatility(closes: readonly Decimal[]): Decimal | null {
  const bad = closes.find((c) => !c.gt(0))
  if (bad !== undefined) throw new RangeError(`closes must be greater than 0, got ${bad.toFixed()}`)
  if (closes.length < 3) return null
  const returns = closes.slice(1).map((c, i) => c.div(closes[i]).ln())
  const mean = sumDec(returns).div(returns.length)
  const squares = returns.map((r) => r.minus(mean).pow(2))
  return sumDec(squares).div(returns.length - 1).sqrt()
}

import { dec, ZERO, type Decimal } from '@/lib/domain/decimal'
import { known, unavailable, type Metric } from './metric'
import { PERIODS_PER_YEAR } from './returns'
import { mean, sampleStdDev } from './statistics'

const ANNUALIZE = dec(PERIODS_PER_YEAR).sqrt()
const TOO_SHORT = 'needs at least 2 days of equity history'

/** mean(daily return) / sample std(daily return) × √365, with no risk-free rate. */
export function sharpeRatio(dailyReturns: readonly Decimal[]): Metric {
  if (dailyReturns.length < 2) return unavailable(TOO_SHORT)
  const sd = sampleStdDev(dailyReturns)!
  if (sd.isZero()) return unavailable('daily returns never varied')
  return known(mean(dailyReturns)!.div(sd).mul(ANNUALIZE))
}

/**
 * As Sharpe with the downside deviation instead of the standard deviation: √(Σ min(r, 0)² / n)
 * over every day (the quantstats definition, target 0). Without a losing day it has no value.
 */
export function sortinoRatio(dailyReturns: readonly Decimal[]): Metric {
  if (dailyReturns.length < 2) return unavailable(TOO_SHORT)
  const downside = dailyReturns
    .reduce<Decimal>((s, r) => (r.lt(0) ? s.plus(r.pow(2)) : s), ZERO)
    .div(dailyReturns.length)
    .sqrt()
  if (downside.isZero()) return unavailable('no losing days')
  return known(mean(dailyReturns)!.div(downside).mul(ANNUALIZE))
}

/** Annualized return / max drawdown (the drawdown as a positive fraction). */
export function calmarRatio(annualized: Metric, maxDrawdown: Decimal): Metric {
  if (annualized.value === null) return annualized
  if (!maxDrawdown.gt(0)) return unavailable('no drawdown')
  return known(annualized.value.div(maxDrawdown))
}

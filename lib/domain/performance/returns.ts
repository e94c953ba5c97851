import { dec, type Decimal } from '@/lib/domain/decimal'
import type { IndexPoint } from './drawdown'
import { known, unavailable, type Metric } from './metric'

export const DAY_MS = 86_400_000
/** Crypto trades every day of the year. */
export const PERIODS_PER_YEAR = 365

/** last / first − 1 of a return index (or of one account's equity). */
export function totalReturn(curve: readonly IndexPoint[]): Metric {
  if (curve.length === 0) return unavailable('no equity snapshots in the period')
  const first = curve[0]!.index
  if (!first.gt(0)) return unavailable('the period starts with no equity')
  return known(curve[curve.length - 1]!.index.div(first).minus(1))
}

/**
 * Compound annual growth rate: (1 + total return)^(365 / days) − 1, days being the time from
 * the first to the last point. Under a day of history the power would turn a small move into an
 * absurd yearly figure, so there is none.
 */
export function annualizedReturn(total: Metric, spanMs: number): Metric {
  if (total.value === null) return total
  if (spanMs < DAY_MS) return unavailable('needs at least a day of equity history')
  const growth = total.value.plus(1)
  if (!growth.gt(0)) return unavailable('equity fell to zero')
  const years = dec(spanMs).div(DAY_MS).div(PERIODS_PER_YEAR)
  return known(growth.pow(dec(1).div(years)).minus(1))
}

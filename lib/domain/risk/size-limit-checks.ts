import type { Decimal } from '@/lib/domain/decimal'
import { formatAmount, withUnit } from '@/lib/domain/risk/format-amount'
import { amountCheck, isEnabled, limitCheck, pctOf, type LimitCheck } from '@/lib/domain/risk/limit-check'
import type { RiskLimits } from '@/lib/domain/risk/risk-limits'
import type { RiskState } from '@/lib/domain/risk/risk-state'

export type SizeState = Pick<RiskState, 'equity' | 'openPositions' | 'exposureQuote'>

export interface SizedEntry {
  /** Quote value of the order. */
  notional: Decimal
  /** Quote lost if the stop is hit, fees included. */
  riskAmount: Decimal
  /** False when it adds to something already counted as open (a pyramid of an open group). */
  opensPosition?: boolean
}

/**
 * The limits on how big one entry, and everything open after it, may be. Being exactly at a
 * size limit is allowed; only going over it blocks. The minimum order size is the one floor.
 */
export function checkSizeLimits(limits: RiskLimits, state: SizeState, entry: SizedEntry, unit?: string): LimitCheck[] {
  const { notional, riskAmount } = entry
  const { equity, openPositions, exposureQuote } = state
  const money = (text: string) => withUnit(text, unit)
  const pctOfEquity = (pct: Decimal, amount: string) => `${formatAmount(pct)}% of equity (${money(amount)})`
  const exposureAfter = exposureQuote.plus(notional)
  const exposureParts = `${money(formatAmount(exposureQuote))} open + order ${money(formatAmount(notional))}`
  const checks: LimitCheck[] = []

  if (isEnabled(limits.maxPositionQuote)) {
    // An order exactly at the limit is allowed (<=).
    checks.push(
      amountCheck('maxPositionQuote', notional, '<=', limits.maxPositionQuote, (n, a) => {
        return `order ${money(n)} exceeds ${money(a)}`
      }),
    )
  }
  const maxPositionPct = limits.maxPositionPctEquity
  if (isEnabled(maxPositionPct)) {
    // An order exactly at the limit is allowed (<=).
    checks.push(
      amountCheck('maxPositionPctEquity', notional, '<=', pctOf(equity, maxPositionPct), (n, a) => {
        return `order ${money(n)} exceeds ${pctOfEquity(maxPositionPct, a)}`
      }),
    )
  }
  if (isEnabled(limits.maxConcurrentPositions)) {
    const max = limits.maxConcurrentPositions
    // Ending up with exactly the maximum number open is allowed (<=).
    checks.push(
      limitCheck({
        limit: 'maxConcurrentPositions',
        current: openPositions + (entry.opensPosition === false ? 0 : 1),
        comparison: '<=',
        allowed: max,
        detail: `${openPositions} positions are already open and at most ${max} may be`,
      }),
    )
  }
  if (isEnabled(limits.maxExposureQuote)) {
    // Exposure ending exactly at the limit is allowed (<=).
    checks.push(
      amountCheck('maxExposureQuote', exposureAfter, '<=', limits.maxExposureQuote, (e, a) => {
        return `exposure would reach ${money(e)} (${exposureParts}), more than ${money(a)}`
      }),
    )
  }
  const maxExposurePct = limits.maxExposurePctEquity
  if (isEnabled(maxExposurePct)) {
    // Exposure ending exactly at the limit is allowed (<=).
    checks.push(
      amountCheck('maxExposurePctEquity', exposureAfter, '<=', pctOf(equity, maxExposurePct), (e, a) => {
        return `exposure would reach ${money(e)} (${exposureParts}), more than ${pctOfEquity(maxExposurePct, a)}`
      }),
    )
  }
  const maxRiskPct = limits.maxRiskPerTradePct
  if (isEnabled(maxRiskPct)) {
    // Risk exactly at the limit is allowed (<=).
    checks.push(
      amountCheck('maxRiskPerTradePct', riskAmount, '<=', pctOf(equity, maxRiskPct), (r, a) => {
        return `loss at the stop ${money(r)} exceeds ${pctOfEquity(maxRiskPct, a)}`
      }),
    )
  }
  if (isEnabled(limits.minOrderQuote)) {
    // An order exactly at the minimum is allowed (>=).
    checks.push(
      amountCheck('minOrderQuote', notional, '>=', limits.minOrderQuote, (n, a) => {
        return `order ${money(n)} is below the minimum of ${money(a)}`
      }),
    )
  }
  if (isEnabled(limits.maxOrderQuote)) {
    // An order exactly at the maximum is allowed (<=); above it is taken for a typo.
    checks.push(
      amountCheck('maxOrderQuote', notional, '<=', limits.maxOrderQuote, (n, a) => {
        return `order ${money(n)} exceeds the maximum of ${money(a)}`
      }),
    )
  }
  return checks
}

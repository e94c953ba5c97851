import { formatAmount, withUnit } from '@/lib/domain/risk/format-amount'
import { amountCheck, isEnabled, limitCheck, pctOf, type LimitCheck } from '@/lib/domain/risk/limit-check'
import type { RiskLimits } from '@/lib/domain/risk/risk-limits'
import type { RiskState } from '@/lib/domain/risk/risk-state'

export type LossState = Pick<RiskState, 'equity' | 'dailyPnl' | 'drawdownPct' | 'consecutiveLosses'>

/**
 * The limits on losses already taken. They block new entries (checkOrderRisk) and pause or halt
 * the scope (evaluateBreakers). Each must stay strictly below its limit: reaching it exactly
 * counts as reached.
 */
export function checkLossLimits(limits: RiskLimits, state: LossState, unit?: string): LimitCheck[] {
  const { dailyLossLimitQuote, dailyLossLimitPct, maxDrawdownPct, maxConsecutiveLosses } = limits
  const money = (text: string) => withUnit(text, unit)
  const loss = state.dailyPnl.neg() // a profit is a negative loss and never reaches a limit
  const checks: LimitCheck[] = []

  if (isEnabled(dailyLossLimitQuote)) {
    // A loss exactly at the limit blocks (<).
    checks.push(
      amountCheck('dailyLossLimitQuote', loss, '<', dailyLossLimitQuote, (l, a) => {
        return `today's loss ${money(l)} has reached the limit of ${money(a)}`
      }),
    )
  }
  if (isEnabled(dailyLossLimitPct)) {
    const pct = formatAmount(dailyLossLimitPct)
    // A loss exactly at the limit blocks (<).
    checks.push(
      amountCheck('dailyLossLimitPct', loss, '<', pctOf(state.equity, dailyLossLimitPct), (l, a) => {
        return `today's loss ${money(l)} has reached ${pct}% of equity (${money(a)})`
      }),
    )
  }
  if (isEnabled(maxDrawdownPct)) {
    // A drawdown exactly at the limit blocks (<).
    checks.push(
      amountCheck('maxDrawdownPct', state.drawdownPct, '<', maxDrawdownPct, (d, a) => {
        return `drawdown ${d}% has reached the limit of ${a}%`
      }),
    )
  }
  if (isEnabled(maxConsecutiveLosses)) {
    const n = state.consecutiveLosses
    // A losing streak exactly at the limit blocks (<).
    checks.push(
      limitCheck({
        limit: 'maxConsecutiveLosses',
        current: n,
        comparison: '<',
        allowed: maxConsecutiveLosses,
        detail: `a streak of ${n} losing trades has reached the limit of ${maxConsecutiveLosses}`,
      }),
    )
  }
  return checks
}

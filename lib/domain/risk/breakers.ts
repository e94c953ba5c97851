import { Decimal, ZERO } from '@/lib/domain/decimal'
import { checkLossLimits, type LossState } from '@/lib/domain/risk/loss-limit-checks'
import type { RiskLimitName, RiskLimits } from '@/lib/domain/risk/risk-limits'
import type { RiskScope } from '@/lib/domain/risk/risk-state'
import { toRiskViolation } from '@/lib/domain/risk/risk-violation'

/** PAUSE: no new entries until the condition clears or a person resumes. HALT: only a person resumes. */
export type BreakerAction = 'PAUSE' | 'HALT'

export interface BreakerTrip {
  action: BreakerAction
  limit: RiskLimitName
  label: string
  currentValue: string
  allowedValue: string
  reason: string
}

export interface EvaluateBreakersInput {
  /** Only changes the wording ("user-wide daily loss limit (paper USDT): ..."); defaults to 'trader'. */
  scope?: RiskScope
  limits: RiskLimits
  state: LossState
  /** Unit shown after amounts in the reason ("USDT"). */
  quoteCurrency?: string
}

// The most severe trip wins: a drawdown halts, the rest pause.
const BREAKER_PRIORITY: readonly { limit: RiskLimitName; action: BreakerAction }[] = [
  { limit: 'maxDrawdownPct', action: 'HALT' },
  { limit: 'dailyLossLimitQuote', action: 'PAUSE' },
  { limit: 'dailyLossLimitPct', action: 'PAUSE' },
  { limit: 'maxConsecutiveLosses', action: 'PAUSE' },
]

/**
 * Which loss limit, if any, should stop the scope now (run after every closed trade and on a
 * timer). Uses the same checks, and so the same boundaries, as checkOrderRisk: a limit reached
 * exactly trips.
 */
export function evaluateBreakers(input: EvaluateBreakersInput): BreakerTrip | null {
  const { scope = 'trader', limits, state, quoteCurrency } = input
  const breached = checkLossLimits(limits, state, quoteCurrency).filter((c) => !c.satisfied)
  for (const { limit, action } of BREAKER_PRIORITY) {
    const check = breached.find((c) => c.limit === limit)
    if (check) {
      const { message, ...rest } = toRiskViolation(scope, check)
      return { action, ...rest, reason: message }
    }
  }
  return null
}

/**
 * Losing trades in a row, newest first. A trade with exactly zero realized PnL (fees included)
 * neither counts nor ends the streak: breaking even is not evidence of recovery.
 */
export function consecutiveLossesFrom(realizedPnlsNewestFirst: readonly Decimal[]): number {
  let losses = 0
  for (const pnl of realizedPnlsNewestFirst) {
    // gt/lt rather than isPos/isNeg, which count a signed zero as positive or negative.
    if (pnl.gt(0)) break
    if (pnl.lt(0)) losses += 1
  }
  return losses
}

/**
 * How far a cumulative PnL curve is below its peak, as a percent of `base` equity
 * ((peak - now) / base * 100); 0 when now >= peak. With a drawdown and a base of zero or less
 * the result is Infinity, so every drawdown limit trips.
 */
export function drawdownPct(peak: Decimal, now: Decimal, base: Decimal): Decimal {
  if (now.gte(peak)) return ZERO
  if (!base.gt(0)) return new Decimal(Infinity)
  return peak.minus(now).div(base).mul(100)
}

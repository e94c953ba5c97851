import type { Decimal } from '@/lib/domain/decimal'
import type { Constraint, ValidationResult } from '@/lib/domain/decisions/validation-result'
import type { LimitCheck } from '@/lib/domain/risk/limit-check'
import { checkLossLimits } from '@/lib/domain/risk/loss-limit-checks'
import { checkPaceLimits } from '@/lib/domain/risk/pace-limit-checks'
import { LIMIT_LABELS, type RiskLimitName, type RiskLimits } from '@/lib/domain/risk/risk-limits'
import type { RiskScope, RiskSide, RiskState } from '@/lib/domain/risk/risk-state'
import { scopedLimitLabel, toRiskViolation, type RiskViolation } from '@/lib/domain/risk/risk-violation'
import { checkSizeLimits } from '@/lib/domain/risk/size-limit-checks'

export type { RiskScope, RiskState } from '@/lib/domain/risk/risk-state'
export type { RiskViolation } from '@/lib/domain/risk/risk-violation'

export interface OrderIntent {
  /** RISK_REDUCING: closing, reducing, or tightening protection. */
  kind: 'ENTRY' | 'RISK_REDUCING'
  symbol: string
  side: RiskSide
  /** Quote value of the order. */
  notional: Decimal
  /** Quote lost if the stop is hit, fees included. */
  riskAmount: Decimal
  /** False when it adds to something already counted as open (a pyramid of an open group). */
  opensPosition?: boolean
  /** Epoch ms. */
  at: number
}

/** `errors` are the violations' messages; `constraints` list every enabled limit, passed or not. */
export interface RiskCheck extends ValidationResult {
  violations: RiskViolation[]
}

export interface CheckOrderRiskInput {
  scope: RiskScope
  limits: RiskLimits
  state: RiskState
  intent: OrderIntent
  /** Unit shown after amounts in messages ("USDT"); omitted when absent. */
  quoteCurrency?: string
}

const LIMIT_ORDER = Object.keys(LIMIT_LABELS) as RiskLimitName[]

/**
 * Whether one order may go out under one scope's limits. Run it once per scope (the trader's,
 * then the account's). Risk-reducing orders are never blocked: a limit must not stop anyone
 * from closing a position or tightening its stop.
 */
export function checkOrderRisk(input: CheckOrderRiskInput): RiskCheck {
  const { scope, limits, state, intent, quoteCurrency } = input
  if (intent.kind === 'RISK_REDUCING') {
    return { isValid: true, errors: [], warnings: [], constraints: [], violations: [] }
  }

  const checks = [
    ...checkSizeLimits(limits, state, intent, quoteCurrency),
    ...checkLossLimits(limits, state, quoteCurrency),
    ...checkPaceLimits(limits, state, intent),
  ].sort((a, b) => LIMIT_ORDER.indexOf(a.limit) - LIMIT_ORDER.indexOf(b.limit))

  const violations = checks.filter((c) => !c.satisfied).map((c) => toRiskViolation(scope, c))
  return {
    isValid: violations.length === 0,
    // Built here rather than by resultFrom so that errors carry the full sentences.
    errors: violations.map((v) => v.message),
    warnings: [],
    constraints: checks.map((c) => toConstraint(scope, c)),
    violations,
  }
}

function toConstraint(scope: RiskScope, check: LimitCheck): Constraint {
  return {
    name: scopedLimitLabel(scope, check.limit),
    satisfied: check.satisfied,
    currentValue: check.currentValue,
    requiredValue: `${check.comparison} ${check.allowedValue}`,
  }
}

import type { LimitCheck } from '@/lib/domain/risk/limit-check'
import { LIMIT_LABELS, type RiskLimitName } from '@/lib/domain/risk/risk-limits'
import type { RiskScope } from '@/lib/domain/risk/risk-state'

/** One limit found breached, shaped like a RiskEvent row. */
export interface RiskViolation {
  limit: RiskLimitName
  label: string
  currentValue: string
  allowedValue: string
  message: string
}

/** The limit's name as a person reads it in a message; user-wide limits say so, and over which book. */
export function scopedLimitLabel(scope: RiskScope, limit: RiskLimitName): string {
  return scope === 'trader' ? LIMIT_LABELS[limit] : `user-wide ${LIMIT_LABELS[limit]} (${scope.userBook})`
}

export function toRiskViolation(scope: RiskScope, check: LimitCheck): RiskViolation {
  return {
    limit: check.limit,
    // Scoped: a trader's limit and the user-wide one of the same name can refuse one order together.
    label: scopedLimitLabel(scope, check.limit),
    currentValue: check.currentValue,
    allowedValue: check.allowedValue,
    message: `${scopedLimitLabel(scope, check.limit)}: ${check.detail}`,
  }
}

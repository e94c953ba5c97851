import { dec, type Decimal } from '@/lib/domain/decimal'
import { formatCompared } from '@/lib/domain/risk/format-amount'
import type { RiskLimitName } from '@/lib/domain/risk/risk-limits'

/** How the measured value must relate to the limit for the check to pass. */
export type Comparison = '<=' | '<' | '>='

/** One enabled limit measured against the state: the common shape of order checks and breakers. */
export interface LimitCheck {
  limit: RiskLimitName
  satisfied: boolean
  /** Exact measured value, or 'none' when there was nothing to measure. */
  currentValue: string
  /** Exact threshold. */
  allowedValue: string
  comparison: Comparison
  /** Why it fails, without the limit's name ("order 1200 USDT exceeds ..."); read only when unsatisfied. */
  detail: string
}

export interface LimitCheckInput {
  limit: RiskLimitName
  /** null: nothing to measure (e.g. no earlier entry on the symbol), so the check passes. */
  current: Decimal | number | null
  comparison: Comparison
  allowed: Decimal | number
  detail: string
  /** Shown instead of the exact current value when that has no finite decimal form. */
  currentText?: string
}

/** The one place where a measured value is compared with its limit. */
export function limitCheck(input: LimitCheckInput): LimitCheck {
  const { limit, current, comparison, allowed, detail, currentText } = input
  const allowedDec = dec(allowed)
  return {
    limit,
    satisfied: current === null || compare(dec(current), comparison, allowedDec),
    currentValue: currentText ?? (current === null ? 'none' : dec(current).toFixed()),
    allowedValue: allowedDec.toFixed(),
    comparison,
    detail,
  }
}

/** A check of two amounts whose detail shows both with enough places to tell them apart. */
export function amountCheck(
  limit: RiskLimitName,
  current: Decimal,
  comparison: Comparison,
  allowed: Decimal,
  describe: (current: string, allowed: string) => string,
): LimitCheck {
  const [currentText, allowedText] = formatCompared(current, allowed)
  return limitCheck({ limit, current, comparison, allowed, detail: describe(currentText, allowedText) })
}

function compare(current: Decimal, comparison: Comparison, allowed: Decimal): boolean {
  switch (comparison) {
    case '<=':
      return current.lte(allowed)
    case '<':
      return current.lt(allowed)
    case '>=':
      return current.gte(allowed)
  }
}

/** Whether a limit is switched on (null and undefined both mean disabled). */
export function isEnabled<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined
}

/** `pct` percent of `equity`; zero or negative equity gives a zero-or-negative allowance, so such limits block. */
export function pctOf(equity: Decimal, pct: Decimal): Decimal {
  return equity.mul(pct).div(100)
}

import type { Check } from './validation-result'

/** What one part of a validation found: its checks, its warnings and, only when every check passed, its value. */
export interface CheckOutcome<T> {
  checks: Check[]
  warnings: string[]
  value?: T
}

export function allSatisfied(checks: readonly Check[]): boolean {
  return checks.every((c) => c.satisfied)
}

/** An outcome whose value is built only when every check passed. */
export function outcome<T>(checks: Check[], warnings: string[], build: () => T): CheckOutcome<T> {
  return allSatisfied(checks) ? { checks, warnings, value: build() } : { checks, warnings }
}

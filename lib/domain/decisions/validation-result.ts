/**
 * One named check with the value found and the value required, so a user can see exactly
 * why something was refused ("max stop distance: 7.5% > 5%").
 */
export interface Constraint {
  name: string
  satisfied: boolean
  currentValue: string
  requiredValue: string
}

/** The result every validation (decision, modification, risk) returns. */
export interface ValidationResult {
  isValid: boolean
  errors: string[]
  warnings: string[]
  constraints: Constraint[]
}

/** Builds a result from constraints: each unsatisfied one becomes an error message. */
export function resultFrom(constraints: Constraint[], warnings: string[] = [], extraErrors: string[] = []): ValidationResult {
  const errors = [
    ...extraErrors,
    ...constraints.filter((c) => !c.satisfied).map((c) => `${c.name}: ${c.currentValue} (required ${c.requiredValue})`),
  ]
  return { isValid: errors.length === 0, errors, warnings, constraints }
}

/** A constraint and the sentence a person reads when it is not satisfied, naming the field and the numbers. */
export interface Check extends Constraint {
  message: string
}

export function toConstraint({ name, satisfied, currentValue, requiredValue }: Check): Constraint {
  return { name, satisfied, currentValue, requiredValue }
}

/** Like resultFrom, but each unsatisfied check contributes its own sentence instead of a generic one. */
export function resultFromChecks(checks: readonly Check[], warnings: readonly string[] = []): ValidationResult {
  const errors = checks.filter((c) => !c.satisfied).map((c) => c.message)
  return { isValid: errors.length === 0, errors, warnings: [...warnings], constraints: checks.map(toConstraint) }
}

/** One result from several, in order: valid only when every part is. */
export function mergeResults(...results: readonly ValidationResult[]): ValidationResult {
  return {
    isValid: results.every((r) => r.isValid),
    errors: results.flatMap((r) => r.errors),
    warnings: results.flatMap((r) => r.warnings),
    constraints: results.flatMap((r) => r.constraints),
  }
}

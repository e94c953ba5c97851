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

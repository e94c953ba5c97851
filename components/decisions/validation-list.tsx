import type { ValidationView } from '@/lib/server/decisions/list-decisions'

/**
 * A validation result: verdict, errors, warnings and every constraint with ✓/✗, the value found
 * and the value required. Lists, not a table, so it can sit inside a journal row. In a row the
 * failed constraints stand for the errors (`show="constraints"`); on a phone's row the verdict and
 * errors stand for the constraints (`show="verdict"`), which the decision's own page lists.
 */
export function ValidationList({ validation, show = 'all' }: { validation: ValidationView | null; show?: 'all' | 'constraints' | 'verdict' }) {
  if (!validation) return <span className="text-xs text-neutral-600">No validation (nothing to validate).</span>
  const failed = validation.constraints.filter((c) => !c.satisfied).length
  return (
    <div className="space-y-1 text-xs">
      <p className={validation.isValid ? 'text-emerald-400' : 'text-red-400'} data-valid={validation.isValid}>
        {validation.isValid ? 'Valid' : 'Invalid'}
        <span className="text-neutral-500">
          {' '}
          · {validation.constraints.length} checks{failed ? `, ${failed} failed` : ''}
        </span>
      </p>
      {show !== 'constraints' && validation.errors.length ? (
        <ul className="list-disc space-y-0.5 pl-4 text-red-300" aria-label="Validation errors">
          {validation.errors.map((e, i) => (
            <li key={i}>{e}</li>
          ))}
        </ul>
      ) : null}
      {validation.warnings.length ? (
        <ul className="list-disc space-y-0.5 pl-4 text-amber-300" aria-label="Validation warnings">
          {validation.warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      ) : null}
      {show !== 'verdict' && validation.constraints.length ? (
        <ul className="space-y-0.5" aria-label="Validation constraints">
          {validation.constraints.map((c, i) => (
            <li key={`${c.name}-${i}`} data-satisfied={c.satisfied} className="grid grid-cols-[1rem_minmax(8rem,auto)_1fr] gap-x-1">
              <span aria-label={c.satisfied ? 'satisfied' : 'not satisfied'} className={c.satisfied ? 'text-emerald-400' : 'font-bold text-red-400'}>
                {c.satisfied ? '✓' : '✗'}
              </span>
              <span className={c.satisfied ? 'text-neutral-300' : 'text-red-300'}>{c.name}</span>
              {/* A raw quantity can run to 40 digits with no place to break: it wraps anywhere rather than widen a phone's page. */}
              <span className="min-w-0 font-mono text-neutral-400 wrap-anywhere">
                {c.currentValue} <span className="text-neutral-600">(required {c.requiredValue})</span>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}

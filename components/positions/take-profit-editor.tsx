'use client'

import { DecimalField } from '@/components/ui/fields'
import type { TakeProfitRow } from '@/lib/ui/take-profit-rows'

/**
 * A dynamic list of take-profit levels (price + share of the position). Errors are keyed as
 * the services name them: `takeProfits.<row>.price`, `takeProfits.<row>.sharePct`, `takeProfits`.
 */
export function TakeProfitEditor({
  idPrefix,
  rows,
  onChange,
  errors,
  disabled,
}: {
  idPrefix: string
  rows: TakeProfitRow[]
  onChange: (rows: TakeProfitRow[]) => void
  errors: Record<string, string>
  disabled?: boolean
}) {
  const set = (i: number, patch: Partial<TakeProfitRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)))
  return (
    <fieldset className="space-y-2" disabled={disabled}>
      <legend className="text-xs font-medium text-neutral-400">Take-profits</legend>
      {rows.length === 0 ? <p className="text-xs text-neutral-500">No take-profit levels: the position exits by stop loss or by hand.</p> : null}
      {rows.map((row, i) => (
        <div key={i} className="grid grid-cols-[1fr_9rem_auto] items-start gap-2">
          <DecimalField
            id={`${idPrefix}-tp-${i}-price`}
            label={`Take-profit ${i + 1} price`}
            value={row.price}
            onChange={(e) => set(i, { price: e.target.value })}
            error={errors[`takeProfits.${i}.price`]}
          />
          <DecimalField
            id={`${idPrefix}-tp-${i}-share`}
            label={`Take-profit ${i + 1} share %`}
            value={row.sharePct}
            onChange={(e) => set(i, { sharePct: e.target.value })}
            error={errors[`takeProfits.${i}.sharePct`]}
          />
          <button
            type="button"
            aria-label={`Remove take-profit ${i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
            className="mt-5 rounded border border-neutral-700 px-2 py-1.5 text-xs text-neutral-400 hover:border-red-700 hover:text-red-300"
          >
            ✕
          </button>
        </div>
      ))}
      {errors.takeProfits ? <p className="text-xs text-red-400">{errors.takeProfits}</p> : null}
      {rows.length < 10 ? (
        <button
          type="button"
          onClick={() => onChange([...rows, { price: '', sharePct: '' }])}
          className="rounded border border-dashed border-neutral-700 px-2 py-1 text-xs text-neutral-300 hover:border-neutral-500"
        >
          Add take-profit
        </button>
      ) : null}
    </fieldset>
  )
}

/** Whether a field error has a place in a take-profit editor. */
export function isTakeProfitField(field: string): boolean {
  return field === 'takeProfits' || /^takeProfits\.\d+\.(price|sharePct)$/.test(field)
}

import type { ButtonHTMLAttributes, ReactNode } from 'react'
import { td, th } from '@/components/positions/positions-table'
import { EmptyState } from '@/components/ui/panel'

/** A table heading; a `right` one is for a numeric column. */
export type Column = string | { label: string; right: true }
export const right = (label: string): Column => ({ label, right: true })

/** One titled part of a panel: its list, or what to say when it is empty. Parts after the first are ruled off. */
export function PanelSection({ title, ruled, empty, children }: { title: string; ruled?: boolean; empty: string | false; children: ReactNode }) {
  return (
    <div className={ruled ? 'space-y-1 border-t border-neutral-800 pt-3' : 'space-y-1'}>
      <h3 className="text-sm font-semibold text-neutral-200">{title}</h3>
      {empty ? <EmptyState>{empty}</EmptyState> : children}
    </div>
  )
}

/** A compact, horizontally scrolling table; the label names it for screen readers and tests. */
export function PanelTable({ label, columns, children }: { label: string; columns: readonly Column[]; children: ReactNode }) {
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-xs" aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) =>
              typeof c === 'string' ? (
                <th key={c} className={th}>
                  {c}
                </th>
              ) : (
                <th key={c.label} className={`${th} text-right`}>
                  {c.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  )
}

/** The panel's load error; `children` says what could not be loaded, the error's message follows. */
export function LoadError({ error, children }: { error: Error | null; children: ReactNode }) {
  return error ? (
    <p role="alert" className="text-sm text-red-400">
      {children}
      {error.message}
    </p>
  ) : null
}

/** The last cell of a row: its buttons, side by side. */
export function ActionsCell({ children }: { children: ReactNode }) {
  return (
    <td className={td}>
      <div className="flex gap-1">{children}</div>
    </td>
  )
}

/** A panel's action button: disabled while any of the panel's actions runs, marked busy while its own does. */
export function ActionButton({ pending, busy, ...props }: { pending: boolean; busy: boolean } & ButtonHTMLAttributes<HTMLButtonElement>) {
  return <button type="button" disabled={pending} aria-busy={busy || undefined} {...props} />
}

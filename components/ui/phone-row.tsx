import type { ReactNode } from 'react'

/** A table cell (`td`/`th` class) for a wide column that a phone shows in a PhoneRow instead. */
export const WIDE_ONLY = 'hidden sm:table-cell'

/**
 * A row shown only below `sm`, under the row it belongs to, holding what that row's WIDE_ONLY
 * columns hold: on a phone the table scrolls sideways and those columns would be out of the
 * window. It spans the first `span` columns, which fit a 390 px window.
 */
export function PhoneRow({ span = 3, className = '', children, ...data }: { span?: number; className?: string; children: ReactNode } & { [attr: `data-${string}`]: string }) {
  return (
    <tr className="sm:hidden" {...data}>
      <td colSpan={span} className={`px-2 pb-2 align-top ${className}`}>
        {children}
      </td>
    </tr>
  )
}

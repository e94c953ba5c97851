import type { ReactNode } from 'react'

/** A table cell (`td`/`th` class) for a wide column that a phone shows in a PhoneRow instead. */
export const WIDE_ONLY = 'hidden sm:table-cell'

/**
 * WIDE_ONLY for the widest tables (the decision journal, a position's decisions and audit
 * trail), whose full columns need a laptop: below `xl` (1,280 px) a tablet gets their PhoneRow
 * layout instead of a table it has to scroll sideways. Use with `<PhoneRow until="xl">`.
 */
export const LAPTOP_ONLY = 'hidden xl:table-cell'

/**
 * A row shown only below `sm` (or `until`), under the row it belongs to, holding what that row's WIDE_ONLY
 * columns hold: on a phone the table scrolls sideways and those columns would be out of the
 * window. It spans the first `span` columns, which fit a 390 px window.
 */
export function PhoneRow({
  span = 3,
  until = 'sm',
  className = '',
  children,
  ...data
}: { span?: number; until?: 'sm' | 'xl'; className?: string; children: ReactNode } & { [attr: `data-${string}`]: string }) {
  return (
    <tr className={until === 'xl' ? 'xl:hidden' : 'sm:hidden'} {...data}>
      <td colSpan={span} className={`px-2 pb-2 align-top ${className}`}>
        {children}
      </td>
    </tr>
  )
}

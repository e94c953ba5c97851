import type { ReactNode } from 'react'

type Breakpoint = 'sm' | 'md' | 'lg' | 'xl'

/**
 * A table cell (`td`/`th` class) for a wide column shown from a breakpoint on; below it the row's
 * PhoneRow (with the same `until`) holds what the column would. Each table takes the breakpoint
 * from which its full columns fit their panel: most fit from `sm` (640 px), the widest need `xl`.
 */
export const WIDE_FROM: Record<Breakpoint, string> = {
  sm: 'hidden sm:table-cell',
  md: 'hidden md:table-cell',
  lg: 'hidden lg:table-cell',
  xl: 'hidden xl:table-cell',
}

/** A table cell for a wide column that a phone shows in a PhoneRow instead. */
export const WIDE_ONLY = WIDE_FROM.sm

/**
 * For the tables whose full columns need a laptop (decisions, a position's audit trail and
 * orders, open positions, closed trades, the performance tables): below `xl` (1,280 px)
 * a tablet gets their PhoneRow layout instead of a table it has to scroll sideways.
 */
export const LAPTOP_ONLY = WIDE_FROM.xl

const HIDDEN_FROM: Record<Breakpoint, string> = { sm: 'sm:hidden', md: 'md:hidden', lg: 'lg:hidden', xl: 'xl:hidden' }

/**
 * A row shown only below `until` (`sm` by default), under the row it belongs to, holding what that
 * row's wide columns hold: on a narrow screen the table would scroll sideways and those columns
 * would be out of the window. It spans the first `span` columns, which fit a 390 px window.
 */
export function PhoneRow({
  span = 3,
  until = 'sm',
  className = '',
  children,
  ...data
}: { span?: number; until?: Breakpoint; className?: string; children: ReactNode } & { [attr: `data-${string}`]: string }) {
  return (
    <tr className={HIDDEN_FROM[until]} {...data}>
      <td colSpan={span} className={`px-2 pb-2 align-top ${className}`}>
        {children}
      </td>
    </tr>
  )
}

import { Fragment } from 'react'
import { num, td, th } from '@/components/positions/positions-table'
import { LAPTOP_ONLY, PhoneRow } from '@/components/ui/phone-row'
import type { BreakdownRowView } from '@/lib/server/performance/performance-report'
import { formatPnl, formatQuoteAmount, pnlTone } from '@/lib/ui/decimal-format'
import { ratio, shown, winRateText } from './performance-figures'

const profitFactor = (r: BreakdownRowView) => shown(r.profitFactor, ratio)

/** Closed trades grouped by trader, symbol or source; below a laptop's width, fees and profit factor sit in a row under each. */
export function BreakdownTable({ label, rows }: { label: string; rows: BreakdownRowView[] }) {
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-sm" aria-label={`Performance by ${label.toLowerCase()}`}>
        <thead>
          <tr>
            <th className={th}>{label}</th>
            <th className={`${th} text-right`}>Trades</th>
            <th className={`${th} text-right`}>Win rate</th>
            <th className={`${th} ${LAPTOP_ONLY} text-right`}>PnL</th>
            <th className={`${th} ${LAPTOP_ONLY} text-right`}>Fees</th>
            <th className={`${th} ${LAPTOP_ONLY} text-right`} title="Gross profit / |gross loss|">
              PF
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <Fragment key={r.key}>
              <tr className="border-t border-neutral-800" data-key={r.key}>
                <td className={td}>
                  {r.label}
                  {/* Below a laptop's width the PnL column is hidden: the PnL is here, fees and profit factor in the row under it. */}
                  <div className={`font-mono text-xs tabular-nums xl:hidden ${pnlTone(r.totalPnl)}`} data-testid="breakdown-pnl-compact">
                    {formatPnl(r.totalPnl)}
                  </div>
                </td>
                <td className={num}>
                  {r.closedTrades} <span className="text-neutral-500">({r.wins}/{r.losses})</span>
                </td>
                <td className={num}>{winRateText(r.winRatePct)}</td>
                <td className={`${num} ${LAPTOP_ONLY} ${pnlTone(r.totalPnl)}`} title={r.totalPnl} data-testid="breakdown-pnl">
                  {formatPnl(r.totalPnl)}
                </td>
                <td className={`${num} ${LAPTOP_ONLY}`} title={r.feesPaid}>
                  {formatQuoteAmount(r.feesPaid)}
                </td>
                <td className={`${num} ${LAPTOP_ONLY}`} title={r.profitFactor.reason ?? undefined}>
                  {profitFactor(r)}
                </td>
              </tr>
              <PhoneRow until="xl" className="text-xs text-neutral-400" data-figures-of={r.key}>
                fees{' '}
                <span className="font-mono text-neutral-300" title={r.feesPaid}>
                  {formatQuoteAmount(r.feesPaid)}
                </span>{' '}
                · profit factor{' '}
                <span className="font-mono text-neutral-300" title={r.profitFactor.reason ?? undefined}>
                  {profitFactor(r)}
                </span>
              </PhoneRow>
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  )
}

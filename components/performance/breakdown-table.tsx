import { num, td, th } from '@/components/positions/positions-table'
import type { BreakdownRowView } from '@/lib/server/performance/performance-report'
import { formatDecimal, formatPnl, formatQuoteAmount, pnlTone } from '@/lib/ui/decimal-format'

/** Closed trades grouped by trader, symbol or source; scrolls inside its panel on a phone. */
export function BreakdownTable({ label, rows }: { label: string; rows: BreakdownRowView[] }) {
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-sm" aria-label={`Performance by ${label.toLowerCase()}`}>
        <thead>
          <tr>
            <th className={th}>{label}</th>
            <th className={`${th} text-right`}>Trades</th>
            <th className={`${th} text-right`}>Win rate</th>
            <th className={`${th} text-right`}>PnL</th>
            <th className={`${th} text-right`}>Fees</th>
            <th className={`${th} text-right`} title="Gross profit / |gross loss|">
              PF
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} className="border-t border-neutral-800" data-key={r.key}>
              <td className={td}>
                {r.label}
                {/* On a phone the PnL column can be off to the right of the table: it is repeated here. */}
                <div className={`font-mono text-xs tabular-nums sm:hidden ${pnlTone(r.totalPnl)}`} data-testid="breakdown-pnl-compact">
                  {formatPnl(r.totalPnl)}
                </div>
              </td>
              <td className={num}>
                {r.closedTrades} <span className="text-neutral-500">({r.wins}/{r.losses})</span>
              </td>
              <td className={num}>{r.winRatePct === null ? '—' : `${r.winRatePct}%`}</td>
              <td className={`${num} ${pnlTone(r.totalPnl)}`} title={r.totalPnl} data-testid="breakdown-pnl">
                {formatPnl(r.totalPnl)}
              </td>
              <td className={num} title={r.feesPaid}>
                {formatQuoteAmount(r.feesPaid)}
              </td>
              <td className={num} title={r.profitFactor.reason ?? undefined}>
                {r.profitFactor.value === null ? '—' : formatDecimal(r.profitFactor.value, { dp: 2 })}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

'use client'

import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { Fragment } from 'react'
import { fetchJson } from '@/components/live/fetch-json'
import { queryKeys, useLiveEvents } from '@/components/live/use-live-events'
import { avgEntryText, avgExitText, num, td, th, TraderLine, type TraderModes } from '@/components/positions/positions-table'
import { EmptyState, Panel } from '@/components/ui/panel'
import { StatusBadge } from '@/components/ui/status-badge'
import { LAPTOP_ONLY, PhoneRow } from '@/components/ui/phone-row'
import type { PositionView } from '@/lib/server/positions/position-views'
import { formatDecimal, formatPnl, formatQuoteAmount, pnlTone } from '@/lib/ui/decimal-format'
import { sumDecimalStrings } from '@/lib/ui/live-pnl'
import { positionReasonText } from '@/lib/ui/position-reason'
import { formatTimestamp } from '@/lib/ui/time-format'

export function ClosedTradesView({ initial, modes = {} }: { initial: PositionView[]; modes?: TraderModes }) {
  useLiveEvents()
  const { data = initial, error } = useQuery({
    queryKey: queryKeys.trades,
    queryFn: () => fetchJson<PositionView[]>('/api/ui/trades'),
    initialData: initial,
  })
  const closed = data.filter((p) => p.status === 'CLOSED')
  const total = sumDecimalStrings(closed.map((p) => p.realizedPnl))
  const fees = sumDecimalStrings(data.map((p) => p.fees))
  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold">Closed trades</h1>
      {error ? (
        <p role="alert" className="text-sm text-red-400">
          Could not refresh: {error.message}
        </p>
      ) : null}
      <Panel
        title="Closed and failed positions"
        actions={
          data.length ? (
            <span className="text-xs text-neutral-400">
              {closed.length} closed · realized <span className={`font-mono ${pnlTone(total)}`}>{formatPnl(total)}</span> · fees <span className="font-mono">{formatQuoteAmount(fees)}</span>
            </span>
          ) : null
        }
      >
        {data.length === 0 ? (
          <EmptyState>
            No closed trades yet. Open a position from the <Link href="/" className="text-emerald-400 underline">dashboard</Link>; it appears here once it is closed.
          </EmptyState>
        ) : (
          <div className="relative overflow-x-auto">
            <table className="w-full text-sm" aria-label="Closed trades">
              <thead>
                <tr>
                  <th className={th}>Closed</th>
                  <th className={th}>Symbol</th>
                  <th className={`${th} ${LAPTOP_ONLY}`}>Side</th>
                  <th className={`${th} ${LAPTOP_ONLY}`}>Status</th>
                  <th className={`${th} ${LAPTOP_ONLY} text-right`}>Qty</th>
                  <th className={`${th} ${LAPTOP_ONLY} text-right`}>Entry</th>
                  <th className={`${th} ${LAPTOP_ONLY} text-right`}>Exit</th>
                  <th className={`${th} ${LAPTOP_ONLY} text-right`}>Realized PnL</th>
                  <th className={`${th} ${LAPTOP_ONLY} text-right`}>Fees</th>
                  <th className={`${th} ${LAPTOP_ONLY}`}>Reason</th>
                  <th className={`${th} ${LAPTOP_ONLY}`}>
                    <span className="sr-only">Details</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.map((p) => (
                  <Fragment key={p.id}>
                    <tr className="border-t border-neutral-800 hover:bg-neutral-900/60" data-position-id={p.id}>
                      <td className={`${td} font-mono text-xs text-neutral-400`}>{formatTimestamp(p.closedAt ?? p.createdAt)}</td>
                      <td className={td}>
                        <Link href={`/positions/${p.id}`} className="font-medium text-emerald-300 hover:underline">
                          {p.symbol}
                        </Link>
                        <TraderLine name={p.traderName} mode={modes[p.traderId]} />
                        {/* Below a laptop's width the side, status and PnL columns are hidden: they are here, the rest in the row under it. */}
                        <div className="flex flex-wrap items-center gap-1.5 pt-0.5 xl:hidden" data-testid="closed-trade-compact">
                          <StatusBadge value={p.side} />
                          <StatusBadge value={p.status} />
                          <span className={`font-mono text-xs tabular-nums ${pnlTone(p.realizedPnl)}`} data-testid="realized-pnl-compact">
                            {formatPnl(p.realizedPnl)}
                          </span>
                        </div>
                      </td>
                      <td className={`${td} ${LAPTOP_ONLY}`}>
                        <StatusBadge value={p.side} />
                      </td>
                      <td className={`${td} ${LAPTOP_ONLY}`}>
                        <StatusBadge value={p.status} />
                      </td>
                      <td className={`${num} ${LAPTOP_ONLY}`}>{formatDecimal(p.entryQty)}</td>
                      <td className={`${num} ${LAPTOP_ONLY}`}>{avgEntryText(p)}</td>
                      <td className={`${num} ${LAPTOP_ONLY}`}>{avgExitText(p)}</td>
                      <td className={`${num} ${LAPTOP_ONLY} ${pnlTone(p.realizedPnl)}`} data-testid="realized-pnl">
                        {formatPnl(p.realizedPnl)}
                      </td>
                      <td className={`${num} ${LAPTOP_ONLY}`} title={formatDecimal(p.fees)}>
                        {formatQuoteAmount(p.fees)}
                      </td>
                      <td className={`max-w-xs px-2 py-1.5 align-top text-xs text-neutral-300 ${LAPTOP_ONLY}`}>{p.statusReason ? positionReasonText(p.statusReason) : '—'}</td>
                      <td className={`${td} ${LAPTOP_ONLY}`}>
                        <Link href={`/positions/${p.id}`} className="text-xs text-emerald-400 hover:underline" aria-label={`Details of ${p.symbol} ${p.side} closed ${formatTimestamp(p.closedAt ?? p.createdAt)}`}>
                          Details
                        </Link>
                      </td>
                    </tr>
                    <PhoneRow span={2} until="xl" className="space-y-0.5 text-xs text-neutral-300" data-trade-of={p.id}>
                      <div className="font-mono tabular-nums">
                        {formatDecimal(p.entryQty)} @ {avgEntryText(p)} → {avgExitText(p)} <span className="font-sans text-neutral-500">· fees</span> <span title={formatDecimal(p.fees)}>{formatQuoteAmount(p.fees)}</span>
                      </div>
                      {p.statusReason ? <div>{positionReasonText(p.statusReason)}</div> : null}
                    </PhoneRow>
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
    </div>
  )
}

'use client'

import { useQuery } from '@tanstack/react-query'
import Link from 'next/link'
import { Fragment } from 'react'
import { fetchJson } from '@/components/live/fetch-json'
import { queryKeys, useLiveEvents } from '@/components/live/use-live-events'
import { num, td, th } from '@/components/positions/positions-table'
import { EmptyState, Panel } from '@/components/ui/panel'
import { ModeBadge } from '@/components/ui/mode-badge'
import { StatusBadge } from '@/components/ui/status-badge'
import { PhoneRow, WIDE_ONLY } from '@/components/ui/phone-row'
import type { accountSummaries } from '@/lib/server/positions/position-views'
import { formatBalance, formatDecimal, formatEquity } from '@/lib/ui/decimal-format'
import { stoppedAs } from '@/lib/ui/trader-switches'
import { CreateTraderForm, type TraderAccountChoice } from './trader-forms'

export type TraderSummary = Awaited<ReturnType<typeof accountSummaries>>[number]

/** A trader's balances, one asset each: the quote currency rounded for reading, the exact amount on hover. */
function BalanceList({ t }: { t: TraderSummary }) {
  return t.balances.map((b) => {
    const shown = formatBalance(b.amount, b.asset === t.quoteCurrency)
    return (
      <div key={b.asset} title={shown.exact}>
        {shown.text} {b.asset}
      </div>
    )
  })
}

/** How a stopped trader is stopped, and why: it opens nothing until a person resumes it (or its account). */
function StoppedLine({ t }: { t: TraderSummary }) {
  if (!stoppedAs(t)) return null
  const reason = t.accountHalted ? `account halted${t.accountHaltedReason ? `: ${t.accountHaltedReason}` : ''}` : t.statusReason
  return (
    <div className="mt-0.5 flex flex-wrap items-center gap-1 text-xs text-neutral-400" data-testid="trader-stopped">
      <StatusBadge value={t.accountHalted ? 'HALTED' : t.status} />
      {reason ? <span>{reason}</span> : null}
    </div>
  )
}

export function TradersView({ initial, accounts }: { initial: TraderSummary[]; accounts: TraderAccountChoice[] }) {
  useLiveEvents()
  const { data = initial } = useQuery({
    queryKey: queryKeys.traders,
    queryFn: () => fetchJson<TraderSummary[]>('/api/ui/traders'),
    initialData: initial,
  })
  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold">Traders</h1>
      <div className="grid gap-4 lg:grid-cols-[1fr_22rem]">
        <Panel title="Your traders">
          {data.length === 0 ? (
            <EmptyState>No traders yet. Create one with the form: on its own paper account funded with a starting balance, or on one of your exchange accounts.</EmptyState>
          ) : (
            <div className="relative overflow-x-auto">
              <table className="w-full text-sm" aria-label="Traders">
                <thead>
                  <tr>
                    <th className={th}>Name</th>
                    <th className={th}>Mode</th>
                    <th className={th}>Watchlist</th>
                    <th className={`${th} ${WIDE_ONLY} text-right`}>Equity</th>
                    <th className={`${th} ${WIDE_ONLY}`}>Balances</th>
                  </tr>
                </thead>
                <tbody>
                  {data.map((t) => (
                    <Fragment key={t.traderId}>
                      <tr className="border-t border-neutral-800">
                        <td className={td}>
                          <Link href={`/traders/${t.traderId}`} className="font-medium text-emerald-300 hover:underline">
                            {t.traderName}
                          </Link>
                          <StoppedLine t={t} />
                          {/* On a phone the equity column is hidden: it is here, the balances in the row under it. */}
                          <div className="font-mono text-xs tabular-nums text-neutral-300 sm:hidden" data-testid="trader-equity-compact">
                            {formatEquity(t.equity, t.quoteCurrency)}
                          </div>
                        </td>
                        <td className={td}>
                          <ModeBadge mode={t.mode} />
                        </td>
                        <td className="px-2 py-1.5 align-top text-xs text-neutral-300">
                          {t.universe.kind === 'TOP' ? <div className="text-neutral-500">Top {t.universe.n} by 24 h volume{t.universeRefreshedAt ? '' : ': not resolved yet'}</div> : null}
                          {t.watchlist.join(', ')}
                        </td>
                        <td className={`${num} ${WIDE_ONLY}`} data-testid="trader-equity">
                          {formatEquity(t.equity, t.quoteCurrency)}
                        </td>
                        <td className={`px-2 py-1.5 align-top font-mono text-xs text-neutral-400 ${WIDE_ONLY}`}>
                          <BalanceList t={t} />
                        </td>
                      </tr>
                      <PhoneRow className="font-mono text-xs text-neutral-400" data-balances-of={t.traderId}>
                        <div className="flex flex-wrap gap-x-3">
                          <BalanceList t={t} />
                        </div>
                      </PhoneRow>
                    </Fragment>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Panel>
        <Panel title="New trader" className="self-start">
          <CreateTraderForm accounts={accounts} />
        </Panel>
      </div>
    </div>
  )
}

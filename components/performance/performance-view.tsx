'use client'

import { useQuery } from '@tanstack/react-query'
import { usePathname, useRouter } from 'next/navigation'
import { useMemo, useState } from 'react'
import { fetchJson } from '@/components/live/fetch-json'
import { accountQueryKeys, useLiveEvents } from '@/components/live/use-live-events'
import { EmptyState, Panel } from '@/components/ui/panel'
import type { PerformanceReportView } from '@/lib/server/performance/performance-report'
import { apiQuery, executionQualityQuery, pageQuery, type PerformanceFilters } from '@/lib/ui/performance-filters'
import { BreakdownTable } from './breakdown-table'
import { DailyPnlChart } from './daily-pnl-chart'
import { DecisionBreakdown } from './decision-breakdown'
import { EquityChart } from './equity-chart'
import { PerformanceFilterBar, type TraderOption } from './performance-filter-bar'
import { EquityFigures, TradeFigures } from './performance-figures'
import { ExecutionQualityPanel } from './execution-quality-panel'

const MODE_WORDS = { PAPER: 'paper', TESTNET: 'testnet', LIVE: 'live' } as const

/**
 * Every closed trade of the user in one account mode: figures with their definitions, the equity
 * curve with its drawdown, daily PnL, breakdowns, and the decisions' results; live, filterable,
 * exportable.
 */
export function PerformanceView({
  initial,
  initialFilters,
  initialQuery,
  traders,
}: {
  initial: PerformanceReportView
  initialFilters: PerformanceFilters
  /** The API query the server answered `initial` for. */
  initialQuery: string
  traders: TraderOption[]
}) {
  useLiveEvents()
  const router = useRouter()
  const pathname = usePathname()
  const [filters, setFilters] = useState(initialFilters)
  const timeZone = initial.scope.timeZone
  const query = useMemo(() => apiQuery(filters, timeZone, Date.now()), [filters, timeZone])
  const { data, error, isFetching } = useQuery({
    queryKey: [...accountQueryKeys.performance, 'report', query],
    queryFn: () => fetchJson<PerformanceReportView>(`/api/ui/performance?${query}`),
    initialData: query === initialQuery ? initial : undefined,
    placeholderData: (previous) => previous,
  })
  const view = data ?? initial

  const change = (c: Partial<PerformanceFilters>) => {
    const next = { ...filters, ...c }
    setFilters(next)
    const qs = pageQuery(next)
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false })
  }

  const filtered = !!(filters.traderId || filters.symbol || filters.source || filters.period !== 'all')
  const modeWord = MODE_WORDS[view.scope.mode]
  const currency = view.scope.currency
  // The export holds what is on screen: the currency shown, even when it was the default.
  const csvQuery = filters.currency || !currency ? query : `${query}&currency=${encodeURIComponent(currency)}`
  const noTradesWhy = !currency
    ? `No trader of yours trades on a ${modeWord} account, so there is nothing to measure in this mode.`
    : `No closed ${modeWord} trades${filtered ? ' match these filters' : ' yet'}. A trade counts here once its position is closed, whoever opened it: you, the rules or an AI.`

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-3">
        <div className="min-w-0">
          <h1 className="text-lg font-semibold">Performance</h1>
          <p className="text-sm text-neutral-400">
            Every closed trade — manual, rules and AI — in one account mode at a time{currency ? `, in ${currency}` : ''}. Days are in your time zone ({timeZone}).
          </p>
        </div>
        <a
          href={`/api/v1/performance/trades.csv?${csvQuery}`}
          download
          className="ml-auto rounded border border-neutral-700 bg-neutral-900 px-3 py-1.5 text-sm font-semibold text-neutral-200 hover:border-neutral-500"
        >
          Download CSV
        </a>
      </div>

      <Panel title="Filters" actions={isFetching ? <span className="text-xs text-neutral-500">Updating…</span> : null}>
        <PerformanceFilterBar filters={filters} onChange={change} traders={traders} symbols={view.symbols} currencies={view.scope.currencies} currency={currency} />
      </Panel>
      {error ? (
        <p role="alert" className="text-sm text-red-400">
          Could not load these figures: {error.message}
        </p>
      ) : null}

      <Panel title="Trades">
        {view.trades.closedTrades === 0 ? <EmptyState>{noTradesWhy}</EmptyState> : <TradeFigures t={view.trades} currency={currency} />}
      </Panel>

      <Panel title="Equity and drawdown">
        {view.equity.notes.length ? (
          <ul className="mb-3 space-y-1 text-xs text-amber-300/80">
            {view.equity.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        ) : null}
        {view.equity.reason ? (
          <EmptyState>No equity curve: {view.equity.reason}.</EmptyState>
        ) : (
          <div className="space-y-3">
            <EquityFigures e={view.equity} />
            <EquityChart curve={view.equity.curve} currency={currency} />
            <p className="text-xs text-neutral-500">
              {view.equity.snapshots} snapshot(s) of {view.equity.accounts} account(s); returns are daily, from the last snapshot of each of {view.equity.days} day(s).
            </p>
          </div>
        )}
      </Panel>

      <Panel title="Daily PnL">
        {view.dailyPnl.length === 0 ? <EmptyState>{noTradesWhy}</EmptyState> : <DailyPnlChart days={view.dailyPnl} currency={currency} />}
      </Panel>

      <div className="grid gap-4 lg:grid-cols-2 2xl:grid-cols-3">
        {(
          [
            ['By trader', 'Trader', view.byTrader],
            ['By symbol', 'Symbol', view.bySymbol],
            ['By source', 'Source', view.bySource],
          ] as const
        ).map(([title, label, rows]) => (
          <Panel key={title} title={title}>
            {rows.length === 0 ? <EmptyState>No closed trades to group.</EmptyState> : <BreakdownTable label={label} rows={[...rows]} />}
          </Panel>
        ))}
      </div>

      <ExecutionQualityPanel query={executionQualityQuery(query)} sourceFiltered={!!filters.source} />

      <DecisionBreakdown view={view} traderId={filters.traderId} />
    </div>
  )
}

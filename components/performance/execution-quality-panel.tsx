'use client'

import { useQuery } from '@tanstack/react-query'
import { Fragment } from 'react'
import { fetchJson } from '@/components/live/fetch-json'
import { accountQueryKeys } from '@/components/live/use-live-events'
import { num, td, th } from '@/components/positions/positions-table'
import { EmptyState, Panel } from '@/components/ui/panel'
import { PhoneRow, WIDE_ONLY } from '@/components/ui/phone-row'
import type { ExecutionFiguresView, ExecutionQualityView } from '@/lib/server/execution/execution-quality-report'
import type { FigureView } from '@/lib/server/performance/performance-report'
import { formatDecimal } from '@/lib/ui/decimal-format'
import { FigureCard, formatDuration, pct, shown } from './performance-figures'

const PURPOSE_LABELS = { ENTRY: 'Entries', MANUAL_EXIT: 'Exits at market', STOP_LOSS: 'Stops', TAKE_PROFIT: 'Take-profits' } as const

const bps = (v: string) => `${formatDecimal(v, { dp: 2, sign: true })} bps`
/** '850 ms', '2.4 s', then as durations. */
const latency = (ms: number | null) => (ms === null ? '—' : ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : formatDuration(ms))
const pair = (p50: string, p95: string) => (p50 === '—' && p95 === '—' ? '—' : `${p50} / ${p95}`)
const slipTone = (f: FigureView) => (f.value === null ? undefined : Number(f.value) > 0 ? 'text-red-300' : 'text-emerald-300')

/**
 * How well orders executed for the same trader, symbol, period and mode as the rest of the page
 * (by when each order was created): slippage against the price expected when the order was
 * decided, latencies, success and error rates, with one-line definitions.
 */
export function ExecutionQualityPanel({ query, sourceFiltered }: { query: string; sourceFiltered: boolean }) {
  const { data, error } = useQuery({
    queryKey: [...accountQueryKeys.performance, 'execution', query],
    queryFn: () => fetchJson<ExecutionQualityView>(`/api/v1/execution-quality?${query}`),
    placeholderData: (previous) => previous,
  })
  return (
    <Panel title="Execution quality">
      {error ? (
        <p role="alert" className="text-sm text-red-400">
          Could not load execution quality: {error.message}
        </p>
      ) : !data ? (
        <p className="text-sm text-neutral-500">Loading…</p>
      ) : data.all.orders === 0 ? (
        <EmptyState>No orders match these filters in this mode. Every order counts here from when it was created: entries, exits, stops and take-profits.</EmptyState>
      ) : (
        <div className="space-y-3">
          {sourceFiltered ? <p className="text-xs text-amber-300/80">The source filter does not apply here: these are all orders of the trader, symbol and period.</p> : null}
          <ExecutionFigures f={data.all} />
          {data.byPurpose.length > 1 ? <ByPurpose rows={data.byPurpose} /> : null}
        </div>
      )}
    </Panel>
  )
}

function ExecutionFigures({ f }: { f: ExecutionFiguresView }) {
  return (
    <dl className="grid grid-cols-2 gap-2 md:grid-cols-3 xl:grid-cols-4" aria-label="Execution figures">
      {/* The breakdown goes under the count: the figure's line is cut off at its card's width. */}
      <FigureCard id="orders" label="Orders" value={`${f.orders}`} definition={`${f.filled} filled, ${f.rejected} rejected, ${f.lost} lost, of the orders created in the period (lost: the exchange never knew them).`} />
      <FigureCard
        id="slippage"
        label="Slippage p50 / p95"
        value={pair(shown(f.slippageP50Bps, bps), shown(f.slippageP95Bps, bps))}
        tone={slipTone(f.slippageP95Bps)}
        note={f.slippageP50Bps.reason}
        definition={`Average fill price against the price expected when the order was decided; positive = worse for us. Over ${f.measured} filled order(s).`}
      />
      <FigureCard id="slippageAvg" label="Average slippage" value={shown(f.slippageAvgBps, bps)} tone={slipTone(f.slippageAvgBps)} note={f.slippageAvgBps.reason} definition="The same, weighted by each order's filled value." />
      <FigureCard id="successRate" label="Success rate" value={shown(f.successRatePct, pct)} note={f.successRatePct.reason} definition="Filled / (filled + rejected + lost); canceled and working orders count as neither." />
      <FigureCard id="errorRate" label="Error rate" value={shown(f.errorRatePct, pct)} note={f.errorRatePct.reason} definition="(Rejected + lost) / all orders, on testnet and live accounts: a paper refusal is not an exchange error." />
      <FigureCard
        id="decisionToOrder"
        label="Decision → order p50 / p95"
        value={pair(latency(f.decisionToOrderP50Ms), latency(f.decisionToOrderP95Ms))}
        definition="From an AI or rules decision (including any approval wait) to its entry order; manual orders have none."
      />
      <FigureCard id="orderToFill" label="Order → first fill p50 / p95" value={pair(latency(f.orderToFillP50Ms), latency(f.orderToFillP95Ms))} definition="From an order being created to its first fill; a resting stop or limit waits for the market." />
    </dl>
  )
}

function ByPurpose({ rows }: { rows: ExecutionQualityView['byPurpose'] }) {
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full text-sm" aria-label="Execution quality by kind of order">
        <thead>
          <tr>
            <th className={th}>Kind</th>
            <th className={`${th} text-right`}>Orders</th>
            <th className={`${th} ${WIDE_ONLY} text-right`}>Slippage p50 / p95</th>
            <th className={`${th} ${WIDE_ONLY} text-right`}>Success</th>
            <th className={`${th} ${WIDE_ONLY} text-right`}>Errors</th>
            <th className={`${th} ${WIDE_ONLY} text-right`}>Order → fill p50</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const slippage = pair(shown(r.slippageP50Bps, bps), shown(r.slippageP95Bps, bps))
            return (
              <Fragment key={r.purpose}>
                <tr className="border-t border-neutral-800" data-key={r.purpose}>
                  <td className={td}>{PURPOSE_LABELS[r.purpose]}</td>
                  <td className={num}>{r.orders}</td>
                  <td className={`${num} ${WIDE_ONLY}`}>{slippage}</td>
                  <td className={`${num} ${WIDE_ONLY}`}>{shown(r.successRatePct, pct)}</td>
                  <td className={`${num} ${WIDE_ONLY}`}>{shown(r.errorRatePct, pct)}</td>
                  <td className={`${num} ${WIDE_ONLY}`}>{latency(r.orderToFillP50Ms)}</td>
                </tr>
                <PhoneRow span={2} className="text-xs text-neutral-400" data-figures-of={r.purpose}>
                  slippage p50 / p95 <span className="font-mono text-neutral-300">{slippage}</span> · success{' '}
                  <span className="font-mono text-neutral-300">{shown(r.successRatePct, pct)}</span> · errors <span className="font-mono text-neutral-300">{shown(r.errorRatePct, pct)}</span> · order → fill p50{' '}
                  <span className="font-mono text-neutral-300">{latency(r.orderToFillP50Ms)}</span>
                </PhoneRow>
              </Fragment>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

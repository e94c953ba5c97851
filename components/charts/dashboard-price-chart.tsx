'use client'

import { useMemo, useState } from 'react'
import { EmptyState, Panel } from '@/components/ui/panel'
import type { Timeframe } from '@/lib/domain/market/candle'
import { chartSymbols, dashboardOverlay, type DashboardPosition } from '@/lib/ui/chart/dashboard-overlay'
import { ChartLegend } from './chart-legend'
import { PriceChart } from './price-chart'
import { TimeframePicker } from './timeframe-picker'
import { useLiveCandles } from './use-live-candles'

const LIMIT = 200

/**
 * A chart of one symbol of the user's active positions or watchlists, live, with each active
 * position's entry marked and its stop drawn.
 */
export function DashboardPriceChart({ positions, watchlists }: { positions: readonly DashboardPosition[]; watchlists: readonly (readonly string[])[] }) {
  const symbols = useMemo(() => chartSymbols(positions, watchlists), [positions, watchlists])
  const [chosen, setChosen] = useState<string | null>(null)
  const symbol = chosen && symbols.includes(chosen) ? chosen : symbols[0]
  const [timeframe, setTimeframe] = useState<Timeframe>('15m')
  if (!symbol) return null
  return (
    <Panel
      title="Price chart"
      actions={
        <>
          <label className="sr-only" htmlFor="chart-symbol">
            Chart symbol
          </label>
          <select
            id="chart-symbol"
            value={symbol}
            onChange={(e) => setChosen(e.target.value)}
            className="rounded border border-neutral-700 bg-neutral-950 px-1.5 py-0.5 text-xs text-neutral-100"
          >
            {symbols.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <TimeframePicker value={timeframe} onChange={setTimeframe} />
        </>
      }
    >
      <SymbolChart symbol={symbol} timeframe={timeframe} positions={positions} />
    </Panel>
  )
}

function SymbolChart({ symbol, timeframe, positions }: { symbol: string; timeframe: Timeframe; positions: readonly DashboardPosition[] }) {
  const { bars, precision, source, error, loading, tfMs } = useLiveCandles(symbol, timeframe, LIMIT)
  const overlay = useMemo(() => dashboardOverlay(positions, symbol), [positions, symbol])
  if (error) {
    return (
      <p role="alert" className="py-4 text-sm text-amber-300" data-testid="price-chart-error">
        No candles for {symbol}: {error.message}
      </p>
    )
  }
  if (loading) return <EmptyState>Loading candles…</EmptyState>
  return (
    <>
      <PriceChart
        label={`${symbol} price, ${timeframe} candles, with your active positions' entries and stops`}
        bars={bars}
        tfMs={tfMs}
        precision={precision}
        viewKey={`${symbol}|${timeframe}`}
        levels={overlay.levels}
        markers={overlay.entries}
      />
      <ChartLegend source={source} of="dashboard" />
    </>
  )
}

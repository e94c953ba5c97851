'use client'

import { useMemo, useState } from 'react'
import { EmptyState, Panel } from '@/components/ui/panel'
import { TIMEFRAMES, timeframeMs, type Timeframe } from '@/lib/domain/market/candle'
import { MAX_CANDLES } from '@/lib/market-data/candle-limits'
import type { getPositionDetail } from '@/lib/server/positions/position-views'
import { chartTimeframe } from '@/lib/ui/chart/chart-timeframe'
import { positionOverlay } from '@/lib/ui/chart/position-overlay'
import { ChartLegend } from './chart-legend'
import { PriceChart } from './price-chart'
import { TimeframePicker } from './timeframe-picker'
import { useLiveCandles } from './use-live-candles'

type PositionDetail = Awaited<ReturnType<typeof getPositionDetail>>

/** Bars shown before the position was created, for context. */
const CONTEXT_BARS = 40

/**
 * The timeframe that shows the whole position: its life in at most 120 bars, and the way from its
 * creation to now within the bars one request can bring.
 */
function defaultTimeframe(fromMs: number, toMs: number, nowMs: number): Timeframe {
  const a = chartTimeframe(fromMs, toMs)
  const b = chartTimeframe(fromMs, nowMs, MAX_CANDLES - CONTEXT_BARS)
  return TIMEFRAMES[Math.max(TIMEFRAMES.indexOf(a), TIMEFRAMES.indexOf(b))]!
}

/** Bars from a little before the creation up to now, within what one request can bring. */
function barsSince(fromMs: number, tf: Timeframe, nowMs: number): number {
  return Math.min(MAX_CANDLES, Math.max(120, Math.ceil((nowMs - fromMs) / timeframeMs(tf)) + CONTEXT_BARS))
}

/**
 * The position on its market: candles, live; lines at the entry, the stop and each active
 * take-profit; a marker per fill; the stop and take-profit history as step lines.
 */
export function PositionPriceChart({ detail }: { detail: PositionDetail }) {
  const p = detail.position
  const fromMs = Date.parse(p.createdAt)
  const [timeframe, setTimeframe] = useState<Timeframe>(() => {
    const now = Date.now()
    return defaultTimeframe(fromMs, p.closedAt ? Date.parse(p.closedAt) : now, now)
  })
  // Fixed per timeframe (a new count would be a new request for every tick).
  const limit = useMemo(() => barsSince(fromMs, timeframe, Date.now()), [fromMs, timeframe])
  const { bars, precision, source, error, loading, tfMs } = useLiveCandles(p.symbol, timeframe, limit)
  const lastBar = bars[bars.length - 1]?.time ?? 0
  // Recomputed when the data or the last bar changes: an open position's levels run to the newest bar.
  const overlay = useMemo(
    () => positionOverlay({ position: p, fills: detail.fills, orders: detail.orders, events: detail.events }, Math.max(Date.now(), lastBar)),
    [p, detail.fills, detail.orders, detail.events, lastBar],
  )

  return (
    <Panel title="Price chart" actions={<TimeframePicker value={timeframe} onChange={setTimeframe} />}>
      {error ? (
        <p role="alert" className="py-4 text-sm text-amber-300" data-testid="price-chart-error">
          No candles: {error.message}
        </p>
      ) : loading ? (
        <EmptyState>Loading candles…</EmptyState>
      ) : (
        <>
          <PriceChart
            label={`${p.symbol} price, ${timeframe} candles, with the position's entry, stop, take-profits and fills`}
            bars={bars}
            tfMs={tfMs}
            precision={precision}
            viewKey={`${p.symbol}|${timeframe}`}
            levels={overlay.levels}
            markers={overlay.fills}
            segments={overlay.segments}
          />
          <ChartLegend source={source} of="position" />
        </>
      )}
    </Panel>
  )
}

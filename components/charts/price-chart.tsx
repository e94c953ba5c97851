'use client'

import { useEffect, useMemo, useRef, useState } from 'react'
import type { AutoscaleInfo, IChartApi, IPriceLine, ISeriesApi, ISeriesMarkersPluginApi, SeriesMarker, TickMarkType, Time, UTCTimestamp, WhitespaceData, LineData } from 'lightweight-charts'
import type { ChartCandle } from '@/lib/ui/chart/chart-candle'
import { placeMarkers, type MarkerPoint } from '@/lib/ui/chart/chart-markers'
import { dayTick } from '@/lib/ui/chart/day-tick'
import type { PriceLevel } from '@/lib/ui/chart/price-level'
import type { LevelSegment } from '@/lib/ui/chart/protection-segments'
import { stepSeries } from '@/lib/ui/chart/step-series'

type Lib = typeof import('lightweight-charts')

interface Drawn {
  lib: Lib
  chart: IChartApi
  candles: ISeriesApi<'Candlestick'>
  markers: ISeriesMarkersPluginApi<Time>
  lines: IPriceLine[]
  steps: ISeriesApi<'Line'>[]
}

const COLORS = {
  up: '#10b981',
  down: '#ef4444',
  buy: '#34d399',
  sell: '#f87171',
  entry: '#e5e5e5',
  limit: '#fbbf24',
  stop: '#ef4444',
  target: '#10b981',
  stopHistory: 'rgba(248, 113, 113, 0.75)',
  targetHistory: 'rgba(52, 211, 153, 0.75)',
  text: '#a3a3a3',
  grid: '#262626',
}

const seconds = (ms: number) => Math.floor(ms / 1000) as UTCTimestamp

export interface PriceChartProps {
  /** Accessible name of the chart, e.g. "BTC/USDT price, 15m candles". */
  label: string
  bars: readonly ChartCandle[]
  tfMs: number
  /** Decimals the price axis shows. */
  precision: number
  /** When it changes (another symbol or timeframe), the view is fitted to the new bars. */
  viewKey: string
  levels: readonly PriceLevel[]
  markers: readonly MarkerPoint[]
  /** Stop and take-profit history, drawn as step lines. */
  segments?: readonly LevelSegment[]
}

/**
 * Candles with price lines, markers and step lines, drawn by TradingView's lightweight-charts
 * (loaded in the browser only). The element reports what it actually drew — candles, markers,
 * price lines, step lines, the last close — in data attributes, read back from the library.
 */
export function PriceChart({ label, bars, tfMs, precision, viewKey, levels, markers, segments }: PriceChartProps) {
  const container = useRef<HTMLDivElement>(null)
  const drawn = useRef<Drawn | null>(null)
  const levelPrices = useRef<number[]>([])
  const previous = useRef<{ viewKey: string; bars: readonly ChartCandle[] } | null>(null)
  const [ready, setReady] = useState(false)
  const [failure, setFailure] = useState<string | null>(null)
  const [report, setReport] = useState({ candles: 0, markers: 0, lines: 0, steps: 0, lastClose: '' })

  const readBack = () => {
    const d = drawn.current
    if (!d) return
    const data = d.candles.data()
    const last = data[data.length - 1] as { close?: number } | undefined
    setReport({ candles: data.length, markers: d.markers.markers().length, lines: d.lines.length, steps: d.steps.length, lastClose: last?.close !== undefined ? String(last.close) : '' })
  }

  useEffect(() => {
    let disposed = false
    import('lightweight-charts')
      .then((lib) => {
        if (disposed || !container.current) return
        const chart = lib.createChart(container.current, {
          autoSize: true,
          layout: { background: { type: lib.ColorType.Solid, color: 'transparent' }, textColor: COLORS.text, fontSize: 11 },
          grid: { vertLines: { color: COLORS.grid }, horzLines: { color: COLORS.grid } },
          rightPriceScale: { borderColor: COLORS.grid },
          timeScale: {
            borderColor: COLORS.grid,
            timeVisible: true,
            secondsVisible: false,
            // Null keeps the library's own label (times, months, years).
            tickMarkFormatter: (time: Time, type: TickMarkType) => (type === lib.TickMarkType.DayOfMonth && typeof time === 'number' ? dayTick(time) : null),
          },
          crosshair: { mode: lib.CrosshairMode.Normal },
        })
        const candles = chart.addSeries(lib.CandlestickSeries, {
          upColor: COLORS.up,
          downColor: COLORS.down,
          wickUpColor: COLORS.up,
          wickDownColor: COLORS.down,
          borderVisible: false,
          // The levels stay in view even when the price is far from them.
          autoscaleInfoProvider: (base: () => AutoscaleInfo | null) => withLevels(base(), levelPrices.current),
        })
        drawn.current = { lib, chart, candles, markers: lib.createSeriesMarkers(candles, []), lines: [], steps: [] }
        setReady(true)
      })
      .catch((e: unknown) => setFailure(e instanceof Error ? e.message : String(e)))
    return () => {
      disposed = true
      drawn.current?.chart.remove()
      drawn.current = null
      previous.current = null
    }
  }, [])

  useEffect(() => {
    drawn.current?.candles.applyOptions({ priceFormat: { type: 'price', precision, minMove: 10 ** -precision } })
  }, [ready, precision])

  // Candles: a live tick updates the last bar in place; anything else redraws them all.
  useEffect(() => {
    const d = drawn.current
    if (!ready || !d) return
    const prev = previous.current
    const data = bars.map((b) => ({ time: seconds(b.time), open: b.open, high: b.high, low: b.low, close: b.close }))
    const n = bars.length
    const incremental =
      prev !== null && prev.viewKey === viewKey && n > 0 && prev.bars.length > 0 && (n === prev.bars.length || n === prev.bars.length + 1) && bars[0] === prev.bars[0] && bars[prev.bars.length - 2] === prev.bars[prev.bars.length - 2]
    if (incremental) d.candles.update(data[n - 1]!)
    else {
      d.candles.setData(data)
      // All bars, with room on the right for the newest bar's markers and their text.
      if (prev?.viewKey !== viewKey && n > 0) d.chart.timeScale().setVisibleLogicalRange({ from: 0, to: n - 1 + Math.max(3, Math.ceil(n * 0.12)) })
    }
    previous.current = { viewKey, bars }
    readBack()
  }, [ready, bars, viewKey])

  // Overlays follow the bars' times (markers and step lines sit on bars), not every tick.
  const barsKey = `${bars.length}:${bars[0]?.time ?? ''}:${bars[bars.length - 1]?.time ?? ''}`
  const barTimes = useMemo(() => bars.map((b) => b.time), [barsKey])
  const placed = useMemo(() => placeMarkers(markers, barTimes, tfMs), [markers, barTimes, tfMs])
  const steps = useMemo(() => stepSeries(segments ?? [], barTimes, tfMs), [segments, barTimes, tfMs])

  useEffect(() => {
    const d = drawn.current
    if (!ready || !d) return
    d.markers.setMarkers(
      placed.markers.map(
        (m): SeriesMarker<Time> => ({
          id: m.id,
          time: seconds(m.time),
          position: m.direction === 'up' ? 'atPriceBottom' : 'atPriceTop',
          price: m.price,
          shape: m.direction === 'up' ? 'arrowUp' : 'arrowDown',
          color: m.direction === 'up' ? COLORS.buy : COLORS.sell,
          text: m.text,
        }),
      ),
    )
    readBack()
  }, [ready, placed])

  useEffect(() => {
    const d = drawn.current
    if (!ready || !d) return
    for (const line of d.lines) d.candles.removePriceLine(line)
    d.lines = levels.map((l) =>
      d.candles.createPriceLine({
        price: Number(l.price),
        color: COLORS[l.kind],
        lineWidth: 1,
        lineStyle: l.kind === 'entry' ? d.lib.LineStyle.Solid : d.lib.LineStyle.Dashed,
        axisLabelVisible: true,
        title: l.title,
      }),
    )
    levelPrices.current = levels.map((l) => Number(l.price)).filter(Number.isFinite)
    // A new provider makes the price scale fit again with the new levels.
    d.candles.applyOptions({ autoscaleInfoProvider: (base: () => AutoscaleInfo | null) => withLevels(base(), levelPrices.current) })
    readBack()
  }, [ready, levels])

  useEffect(() => {
    const d = drawn.current
    if (!ready || !d) return
    for (const s of d.steps) d.chart.removeSeries(s)
    d.steps = steps.map((s) => {
      const series = d.chart.addSeries(d.lib.LineSeries, {
        color: s.kind === 'stop' ? COLORS.stopHistory : COLORS.targetHistory,
        lineWidth: 2,
        lineType: d.lib.LineType.WithSteps,
        lineStyle: d.lib.LineStyle.Dotted,
        priceLineVisible: false,
        lastValueVisible: false,
        crosshairMarkerVisible: false,
      })
      series.setData(s.points.map((p): LineData<Time> | WhitespaceData<Time> => ('value' in p ? { time: seconds(p.time), value: p.value } : { time: seconds(p.time) })))
      return series
    })
    readBack()
  }, [ready, steps])

  const state = failure ? 'error' : !ready ? 'loading' : bars.length === 0 ? 'empty' : 'ready'
  return (
    <div>
      <div
        role="img"
        aria-label={label}
        data-testid="price-chart"
        data-state={state}
        data-candles={report.candles}
        data-markers={report.markers}
        data-markers-outside={placed.outside}
        data-price-lines={report.lines}
        data-step-lines={report.steps}
        data-last-close={report.lastClose}
        className="relative h-64 w-full sm:h-80"
      >
        <div ref={container} className="absolute inset-0" />
      </div>
      {failure ? (
        <p role="alert" className="mt-2 text-sm text-red-400">
          The chart could not be drawn: {failure}
        </p>
      ) : null}
      {placed.outside > 0 ? (
        <p className="mt-2 text-xs text-neutral-400" data-testid="markers-outside">
          {placed.outside === 1 ? '1 marker lies' : `${placed.outside} markers lie`} outside the bars shown; a longer timeframe shows {placed.outside === 1 ? 'it' : 'them'}.
        </p>
      ) : null}
    </div>
  )
}

/** The series' own range widened to every level, so the lines are never off-screen. */
function withLevels(base: AutoscaleInfo | null, levels: readonly number[]): AutoscaleInfo | null {
  if (!base?.priceRange || levels.length === 0) return base
  return {
    ...base,
    priceRange: { minValue: Math.min(base.priceRange.minValue, ...levels), maxValue: Math.max(base.priceRange.maxValue, ...levels) },
  }
}

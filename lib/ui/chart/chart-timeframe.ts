import { TIMEFRAMES, timeframeMs, type Timeframe } from '@/lib/domain/market/candle'

/**
 * The shortest timeframe in which the span from `fromMs` to `toMs` takes at most `maxBars` bars,
 * so a position's whole life fits on the chart with room before it; 1d for anything longer.
 */
export function chartTimeframe(fromMs: number, toMs: number, maxBars = 120): Timeframe {
  const span = Math.max(0, toMs - fromMs)
  return TIMEFRAMES.find((tf) => span / timeframeMs(tf) <= maxBars) ?? '1d'
}

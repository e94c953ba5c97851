import { barOpenTime, type ChartCandle } from './chart-candle'

/**
 * The bars after one live price: inside the last bar it moves the close (and stretches high/low);
 * past it, a new bar opens at that price. A tick older than the last bar changes nothing (quotes
 * may arrive after bars that were fetched later). Returns the same array when nothing changed.
 */
export function applyTick(bars: readonly ChartCandle[], tfMs: number, price: number, atMs: number): readonly ChartCandle[] {
  if (!Number.isFinite(price) || price <= 0) return bars
  const time = barOpenTime(atMs, tfMs)
  const last = bars[bars.length - 1]
  if (!last || time > last.time) return [...bars, { time, open: price, high: price, low: price, close: price }]
  if (time < last.time) return bars
  if (last.close === price && last.high >= price && last.low <= price) return bars
  return [...bars.slice(0, -1), { ...last, close: price, high: Math.max(last.high, price), low: Math.min(last.low, price) }]
}

/**
 * A bar as the chart draws it. The chart library plots JS numbers; these are display values only,
 * made from the exact decimal strings the API sends (nothing is computed from them).
 */
export interface ChartCandle {
  /** Start of the bar, ms since the epoch. */
  time: number
  open: number
  high: number
  low: number
  close: number
}

export function toChartCandles(list: readonly { openTime: number; open: string; high: string; low: string; close: string }[]): ChartCandle[] {
  return list.map((c) => ({ time: c.openTime, open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close) }))
}

/** Start of the bar of length `tfMs` that contains `atMs` (bars are aligned to the epoch, as exchanges do). */
export function barOpenTime(atMs: number, tfMs: number): number {
  return Math.floor(atMs / tfMs) * tfMs
}

/**
 * The bar a moment belongs to among `barTimes` (ascending): the last bar starting at or before it,
 * or null when it lies outside the bars (before the first, or after the end of the last).
 */
export function barAt(barTimes: readonly number[], atMs: number, tfMs: number): number | null {
  if (barTimes.length === 0) return null
  const last = barTimes[barTimes.length - 1]!
  if (atMs < barTimes[0]! || atMs >= last + tfMs) return null
  let lo = 0
  let hi = barTimes.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (barTimes[mid]! <= atMs) lo = mid
    else hi = mid - 1
  }
  return barTimes[lo]!
}

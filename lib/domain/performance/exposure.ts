import { dec } from '@/lib/domain/decimal'
import { known, unavailable, type Metric } from './metric'

export interface Interval {
  start: number
  end: number
}

export interface Exposure {
  /** Time with at least one trade open, inside the period (overlapping trades count once). */
  inMarketMs: number
  periodMs: number
  /** inMarketMs / periodMs, 0..1. */
  share: Metric
}

/** Time in the market: the union of the trades' open intervals, clipped to the period. */
export function exposure(trades: readonly Interval[], period: Interval): Exposure {
  const periodMs = period.end - period.start
  const clipped = trades
    .map((t) => ({ start: Math.max(t.start, period.start), end: Math.min(t.end, period.end) }))
    .filter((t) => t.end > t.start)
    .sort((a, b) => a.start - b.start)
  let inMarketMs = 0
  let cur: Interval | null = null
  for (const t of clipped) {
    if (cur && t.start <= cur.end) cur.end = Math.max(cur.end, t.end)
    else {
      if (cur) inMarketMs += cur.end - cur.start
      cur = { ...t }
    }
  }
  if (cur) inMarketMs += cur.end - cur.start
  return { inMarketMs, periodMs: Math.max(periodMs, 0), share: periodMs > 0 ? known(dec(inMarketMs).div(periodMs)) : unavailable('the period is empty') }
}

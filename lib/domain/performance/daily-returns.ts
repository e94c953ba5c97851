import { ZERO, type Decimal } from '@/lib/domain/decimal'
import { tradingDay } from '@/lib/domain/risk/trading-day'
import { addDays, daysBetween } from './calendar-day'
import type { IndexPoint } from './drawdown'

export interface DailyReturn {
  /** 'YYYY-MM-DD' in the user's time zone. */
  day: string
  /** The curve's last value on that day (carried over from the day before when it has none). */
  close: Decimal
  /** close / previous close − 1; the first day is measured from the curve's first point. */
  ret: Decimal
}

/**
 * Daily returns of a curve, one per calendar day from its first to its last point, days being
 * the user's trading days. A day without a snapshot (the worker was stopped) keeps the previous
 * close, a return of 0: equity is taken as unchanged as far as anything recorded shows.
 */
export function dailyReturns(curve: readonly IndexPoint[], timeZone: string): DailyReturn[] {
  if (curve.length === 0) return []
  const closes = new Map<string, Decimal>()
  for (const p of curve) closes.set(tradingDay(p.at, timeZone), p.index)
  const firstDay = tradingDay(curve[0]!.at, timeZone)
  const span = daysBetween(firstDay, tradingDay(curve[curve.length - 1]!.at, timeZone))
  const out: DailyReturn[] = []
  let prev = curve[0]!.index
  for (let i = 0; i <= span; i++) {
    const day = addDays(firstDay, i)
    const close = closes.get(day) ?? prev
    out.push({ day, close, ret: prev.gt(0) ? close.div(prev).minus(1) : ZERO })
    prev = close
  }
  return out
}

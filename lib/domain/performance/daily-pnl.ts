import { ZERO, type Decimal } from '@/lib/domain/decimal'
import { tradingDay } from '@/lib/domain/risk/trading-day'
import { addDays, daysBetween } from './calendar-day'

export interface DailyPnl {
  /** 'YYYY-MM-DD' in the user's time zone. */
  day: string
  /** Realized PnL of the trades that closed that day. */
  pnl: Decimal
  trades: number
}

/**
 * Realized PnL per day, each trade counted on the day it closed, one bar for every day from the
 * first close to the last (days without a close are 0, so the bars keep the calendar's spacing).
 */
export function dailyPnl(trades: readonly { closedAt: number; pnl: Decimal }[], timeZone: string): DailyPnl[] {
  if (trades.length === 0) return []
  const byDay = new Map<string, { pnl: Decimal; trades: number }>()
  let first: string | null = null
  let last: string | null = null
  for (const t of trades) {
    const day = tradingDay(t.closedAt, timeZone)
    const cur = byDay.get(day) ?? { pnl: ZERO, trades: 0 }
    byDay.set(day, { pnl: cur.pnl.plus(t.pnl), trades: cur.trades + 1 })
    if (first === null || day < first) first = day
    if (last === null || day > last) last = day
  }
  const out: DailyPnl[] = []
  for (let i = 0; i <= daysBetween(first!, last!); i++) {
    const day = addDays(first!, i)
    out.push({ day, ...(byDay.get(day) ?? { pnl: ZERO, trades: 0 }) })
  }
  return out
}

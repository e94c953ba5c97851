import { ZERO, type Decimal } from '@/lib/domain/decimal'
import { tradingDay } from '@/lib/domain/risk/trading-day'
import { addDays, daysBetween } from './calendar-day'

export interface DailyPnl {
  /** 'YYYY-MM-DD' in the user's time zone. */
  day: string
  /** Realized PnL of the positions that closed that day. */
  pnl: Decimal
  /** The trades with a close that day (the legs of one position group are one trade). */
  trades: number
}

/**
 * Realized PnL per day, each position counted on the day it closed, one bar for every day from
 * the first close to the last (days without a close are 0, so the bars keep the calendar's
 * spacing). Positions with the same `trade` key (a group's legs) count as one trade on a day.
 */
export function dailyPnl(closes: readonly { closedAt: number; pnl: Decimal; trade?: string }[], timeZone: string): DailyPnl[] {
  if (closes.length === 0) return []
  const byDay = new Map<string, { pnl: Decimal; trades: Set<unknown> }>()
  let first: string | null = null
  let last: string | null = null
  for (const c of closes) {
    const day = tradingDay(c.closedAt, timeZone)
    const cur = byDay.get(day) ?? { pnl: ZERO, trades: new Set() }
    byDay.set(day, { pnl: cur.pnl.plus(c.pnl), trades: cur.trades.add(c.trade ?? c) })
    if (first === null || day < first) first = day
    if (last === null || day > last) last = day
  }
  const out: DailyPnl[] = []
  for (let i = 0; i <= daysBetween(first!, last!); i++) {
    const day = addDays(first!, i)
    const d = byDay.get(day)
    out.push({ day, pnl: d?.pnl ?? ZERO, trades: d?.trades.size ?? 0 })
  }
  return out
}

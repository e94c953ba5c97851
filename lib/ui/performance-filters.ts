import { addDays, dayStart } from '@/lib/domain/performance/calendar-day'
import { TRADE_SOURCES } from '@/lib/domain/performance/trade-source'
import { tradingDay } from '@/lib/domain/risk/trading-day'

export const PERFORMANCE_MODES = ['PAPER', 'TESTNET', 'LIVE'] as const
export type PerformanceMode = (typeof PERFORMANCE_MODES)[number]

export const PERIODS = [
  { value: 'all', label: 'All time' },
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
  { value: '365', label: 'Last 365 days' },
  { value: 'custom', label: 'Custom dates' },
] as const

/** The performance page's filters as its URL carries them (days, not instants: the user's days). */
export interface PerformanceFilters {
  traderId: string
  symbol: string
  source: string
  mode: PerformanceMode
  currency: string
  period: string
  /** YYYY-MM-DD, for a custom period; `toDay` is included. */
  fromDay: string
  toDay: string
}

const DAY = /^\d{4}-\d{2}-\d{2}$/
const one = (v: string | string[] | undefined) => (typeof v === 'string' ? v : '')

/** Reads the page's URL; anything unknown falls back to the default (PAPER, all time, everything). */
export function filtersFromSearchParams(sp: Record<string, string | string[] | undefined>): PerformanceFilters {
  const mode = one(sp.mode)
  const source = one(sp.source)
  const period = one(sp.period)
  return {
    traderId: one(sp.traderId),
    symbol: one(sp.symbol),
    source: (TRADE_SOURCES as readonly string[]).includes(source) ? source : '',
    mode: (PERFORMANCE_MODES as readonly string[]).includes(mode) ? (mode as PerformanceMode) : 'PAPER',
    currency: one(sp.currency),
    period: PERIODS.some((p) => p.value === period) ? period : 'all',
    fromDay: DAY.test(one(sp.from)) ? one(sp.from) : '',
    toDay: DAY.test(one(sp.to)) ? one(sp.to) : '',
  }
}

/** The page's own query string (only what differs from the defaults). */
export function pageQuery(f: PerformanceFilters): string {
  const p = new URLSearchParams()
  if (f.traderId) p.set('traderId', f.traderId)
  if (f.symbol) p.set('symbol', f.symbol)
  if (f.source) p.set('source', f.source)
  if (f.mode !== 'PAPER') p.set('mode', f.mode)
  if (f.currency) p.set('currency', f.currency)
  if (f.period !== 'all') p.set('period', f.period)
  if (f.period === 'custom' && f.fromDay) p.set('from', f.fromDay)
  if (f.period === 'custom' && f.toDay) p.set('to', f.toDay)
  return p.toString()
}

/**
 * The API's query string for these filters: a period becomes instants at the start of the user's
 * days (the last N days include today; a custom `toDay` is included, so `to` is the next day's start).
 */
export function apiQuery(f: PerformanceFilters, timeZone: string, nowMs: number): string {
  const p = new URLSearchParams()
  if (f.traderId) p.set('traderId', f.traderId)
  if (f.symbol) p.set('symbol', f.symbol)
  if (f.source) p.set('source', f.source)
  p.set('mode', f.mode)
  if (f.currency) p.set('currency', f.currency)
  const iso = (day: string) => new Date(dayStart(day, timeZone)).toISOString()
  const days = Number(f.period)
  if (Number.isInteger(days) && days > 0) p.set('from', iso(addDays(tradingDay(nowMs, timeZone), 1 - days)))
  if (f.period === 'custom') {
    if (f.fromDay) p.set('from', iso(f.fromDay))
    if (f.toDay) p.set('to', iso(addDays(f.toDay, 1)))
  }
  return p.toString()
}

/**
 * The execution-quality API's query for the same filters: orders have no trade source, and its
 * figures are basis points and durations, in no currency. Those two are left out, not sent to be
 * refused.
 */
export function executionQualityQuery(apiQuery: string): string {
  const p = new URLSearchParams(apiQuery)
  p.delete('source')
  p.delete('currency')
  return p.toString()
}

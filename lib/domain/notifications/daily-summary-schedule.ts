import { dayStart } from '@/lib/domain/performance/calendar-day'
import { isValidTimeZone, tradingDay } from '@/lib/domain/risk/trading-day'

/** "HH:MM", 00:00–23:59: when the daily summary goes out, in the user's local time. */
export const LOCAL_TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/

const MINUTE_MS = 60_000

/** Minutes after local midnight of an "HH:MM" time. */
export function minutesOf(hhmm: string): number {
  if (!LOCAL_TIME_PATTERN.test(hhmm)) throw new RangeError(`"${hhmm}" is not a time HH:MM`)
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))
}

const clocks = new Map<string, Intl.DateTimeFormat>()

/** The zone used for a user's zone: the zone itself, or UTC when this runtime does not know it. */
export function effectiveZone(timeZone: string): string {
  return isValidTimeZone(timeZone) ? timeZone : 'UTC'
}

/** The local day and minutes after local midnight at `instantMs` in `timeZone` (UTC when unknown). */
export function localClock(instantMs: number, timeZone: string): { day: string; minutes: number } {
  const zone = effectiveZone(timeZone)
  let f = clocks.get(zone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', numberingSystem: 'latn' })
    clocks.set(zone, f)
  }
  const parts = f.formatToParts(instantMs)
  const n = (t: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === t)?.value ?? 0)
  return { day: tradingDay(instantMs, zone), minutes: n('hour') * 60 + n('minute') }
}

export interface DueSummary {
  /** The local day the summary is for (what dailySummarySentOn becomes). */
  day: string
  /** The period it covers: the 24 hours up to `day`'s scheduled time, [from, to). */
  fromMs: number
  toMs: number
}

/**
 * Whether a summary is due at `nowMs`: local time has reached `at` on a local day later than the
 * last one sent (a later day, not merely another: a user moving west must not get the same day twice).
 */
export function dueSummary(o: { nowMs: number; timeZone: string; at: string; sentOn: string | null }): DueSummary | null {
  const zone = effectiveZone(o.timeZone)
  const target = minutesOf(o.at)
  const { day, minutes } = localClock(o.nowMs, zone)
  if (minutes < target || (o.sentOn !== null && o.sentOn >= day)) return null
  const toMs = scheduledInstant(day, target, zone)
  return { day, fromMs: toMs - 24 * 60 * MINUTE_MS, toMs }
}

/**
 * The instant `day` reaches `minutes` local time: midnight plus the minutes, then corrected once
 * by what the local clock reads there (a DST change between midnight and then shifts it by the
 * change). A time the clocks skip resolves to the instant an hour later or earlier, which is fine here.
 */
function scheduledInstant(day: string, minutes: number, zone: string): number {
  const guess = dayStart(day, zone) + minutes * MINUTE_MS
  const c = localClock(guess, zone)
  const drift = c.day === day ? c.minutes - minutes : c.day > day ? c.minutes + 1440 - minutes : c.minutes - 1440 - minutes
  return guess - drift * MINUTE_MS
}

/** "YYYY-MM-DD HH:MM" local time at `instantMs` in `timeZone` (UTC when unknown). */
export function localLabel(instantMs: number, timeZone: string): string {
  const { day, minutes } = localClock(instantMs, timeZone)
  return `${day} ${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
}

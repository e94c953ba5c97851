/**
 * The user's trading day: the calendar day in their IANA time zone, which daily limits reset on.
 * Both functions throw a RangeError for an unknown time zone (an UnknownTimeZoneError) or an
 * instant that is not a finite epoch-ms number. Zones are validated when set (isValidTimeZone),
 * so an unknown one is a stored zone this runtime's time-zone data no longer has, after an
 * upgrade: the user has to set it again, which the API says with a 409 (see knownError).
 */

export class UnknownTimeZoneError extends RangeError {
  constructor(public readonly timeZone: string) {
    // Said as the person who chose the zone needs it: the decision journal, the breaker-check
    // line in the feed and the API's 409 all show this message.
    super(`the time zone "${timeZone}" is not one this server knows (its time-zone data may have changed since the zone was chosen): set the time zone again in Settings, under User-wide risk`)
    this.name = 'UnknownTimeZoneError'
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function dateFormatter(timeZone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timeZone)
  if (cached) return cached
  let formatter: Intl.DateTimeFormat
  try {
    // An empty or missing zone would silently mean the host's zone; refuse it like any bad name.
    if (typeof timeZone !== 'string' || timeZone.trim() === '') throw new RangeError('empty')
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    })
  } catch {
    throw new UnknownTimeZoneError(String(timeZone))
  }
  formatters.set(timeZone, formatter)
  return formatter
}

/** Whether `timeZone` is an IANA zone name this runtime knows; for input validation (zod refine). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    dateFormatter(timeZone)
    return true
  } catch {
    return false
  }
}

/** Throws an UnknownTimeZoneError unless this runtime knows `timeZone`: for work that needs it whatever the data. */
export function assertKnownTimeZone(timeZone: string): void {
  dateFormatter(timeZone)
}

// ECMAScript's representable range of instants.
const MAX_INSTANT_MS = 8.64e15

function assertInstant(instantMs: number): void {
  if (!Number.isFinite(instantMs) || Math.abs(instantMs) > MAX_INSTANT_MS) {
    throw new RangeError(`instant ${String(instantMs)} is not a valid epoch-ms time`)
  }
}

/** The 'YYYY-MM-DD' calendar day containing `instantMs` in `timeZone`. */
export function tradingDay(instantMs: number, timeZone: string): string {
  assertInstant(instantMs)
  const parts = dateFormatter(timeZone).formatToParts(instantMs)
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? ''
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`
}

const SECOND_MS = 1_000
const TWO_DAYS_S = 2 * 24 * 60 * 60

/**
 * Epoch ms of the first instant of the trading day containing `instantMs`: local midnight, or,
 * on a day whose midnight is skipped by a DST change (America/Santiago in September), the
 * moment the clocks jump. Found by bisection over whole seconds (zone offsets and transitions
 * fall on whole seconds), which needs no assumption about the zone's rules.
 */
export function tradingDayStart(instantMs: number, timeZone: string): number {
  const day = tradingDay(instantMs, timeZone)
  // The start depends on the day alone: found once per zone and day, not on every entry's risk
  // read (the bisection formats about 18 instants).
  const key = `${timeZone}|${day}`
  const known = dayStarts.get(key)
  if (known !== undefined) return known
  const start = firstSecondOf(day, instantMs, timeZone)
  if (dayStarts.size >= MAX_DAY_STARTS) dayStarts.clear()
  dayStarts.set(key, start)
  return start
}

// A few days of each zone in use; cleared whole when full (a long-running process sees new days).
const MAX_DAY_STARTS = 1000
const dayStarts = new Map<string, number>()

function firstSecondOf(day: string, instantMs: number, timeZone: string): number {
  // Invariant: lo (in seconds) lies on an earlier day, hi on `day`. Two days back is always
  // earlier: local days last 22 to 26 hours (Antarctica/Troll moves its clocks by two).
  let hi = Math.floor(instantMs / SECOND_MS)
  let lo = hi - TWO_DAYS_S
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    // 'YYYY-MM-DD' strings order like the days they name.
    if (tradingDay(mid * SECOND_MS, timeZone) >= day) hi = mid
    else lo = mid
  }
  return hi * SECOND_MS
}

import { describe, expect, test } from 'vitest'
import { isValidTimeZone, tradingDay, tradingDayStart } from '@/lib/domain/risk/trading-day'

const at = (iso: string) => Date.parse(iso)
const MINUTE = 60_000
const HOUR = 60 * MINUTE

/**
 * Local midnights, given as the UTC instant they fall on. Each is checked one minute before
 * (previous day), exactly at, and one minute after (this day), and the day start is found from
 * its last minute so a day whose length a DST change alters is crossed in full.
 */
const midnights: { label: string; zone: string; day: string; startsAt: string; nextStartsAt: string }[] = [
  { label: 'UTC', zone: 'UTC', day: '2026-03-08', startsAt: '2026-03-08T00:00:00Z', nextStartsAt: '2026-03-09T00:00:00Z' },
  { label: 'New York, winter', zone: 'America/New_York', day: '2026-01-15', startsAt: '2026-01-15T05:00:00Z', nextStartsAt: '2026-01-16T05:00:00Z' },
  // Clocks go 02:00 -> 03:00: a 23-hour day.
  { label: 'New York, DST starts (23 h)', zone: 'America/New_York', day: '2026-03-08', startsAt: '2026-03-08T05:00:00Z', nextStartsAt: '2026-03-09T04:00:00Z' },
  // Clocks go 02:00 -> 01:00: a 25-hour day.
  { label: 'New York, DST ends (25 h)', zone: 'America/New_York', day: '2026-11-01', startsAt: '2026-11-01T04:00:00Z', nextStartsAt: '2026-11-02T05:00:00Z' },
  { label: 'Berlin, winter', zone: 'Europe/Berlin', day: '2026-02-10', startsAt: '2026-02-09T23:00:00Z', nextStartsAt: '2026-02-10T23:00:00Z' },
  { label: 'Berlin, DST starts (23 h)', zone: 'Europe/Berlin', day: '2026-03-29', startsAt: '2026-03-28T23:00:00Z', nextStartsAt: '2026-03-29T22:00:00Z' },
  { label: 'Berlin, DST ends (25 h)', zone: 'Europe/Berlin', day: '2026-10-25', startsAt: '2026-10-24T22:00:00Z', nextStartsAt: '2026-10-25T23:00:00Z' },
  { label: 'Kolkata, +05:30', zone: 'Asia/Kolkata', day: '2026-06-15', startsAt: '2026-06-14T18:30:00Z', nextStartsAt: '2026-06-15T18:30:00Z' },
  { label: 'Chatham, +12:45 (winter)', zone: 'Pacific/Chatham', day: '2026-06-15', startsAt: '2026-06-14T11:15:00Z', nextStartsAt: '2026-06-15T11:15:00Z' },
  { label: 'Chatham, +13:45 (summer)', zone: 'Pacific/Chatham', day: '2026-01-15', startsAt: '2026-01-14T10:15:00Z', nextStartsAt: '2026-01-15T10:15:00Z' },
  // Clocks go 24:00 -> 23:00 at the end of April 4: a 25-hour day that ends in a repeated hour.
  { label: 'Santiago, DST ends at midnight', zone: 'America/Santiago', day: '2026-04-04', startsAt: '2026-04-04T03:00:00Z', nextStartsAt: '2026-04-05T04:00:00Z' },
  // Clocks go 00:00 -> 01:00: midnight never happens, the day starts when the clocks jump.
  { label: 'Santiago, DST starts at midnight (no 00:00)', zone: 'America/Santiago', day: '2026-09-06', startsAt: '2026-09-06T04:00:00Z', nextStartsAt: '2026-09-07T03:00:00Z' },
]

describe('tradingDay around local midnight', () => {
  test.each(midnights)('$label: a minute before, at, and a minute after', ({ zone, day, startsAt }) => {
    const start = at(startsAt)
    expect(tradingDay(start - MINUTE, zone) < day).toBe(true)
    expect(tradingDay(start - 1, zone) < day).toBe(true)
    expect(tradingDay(start, zone)).toBe(day)
    expect(tradingDay(start + MINUTE, zone)).toBe(day)
  })

  test.each(midnights)('$label: the next day starts at the expected instant', ({ zone, day, nextStartsAt }) => {
    const next = at(nextStartsAt)
    expect(tradingDay(next - MINUTE, zone)).toBe(day)
    expect(tradingDay(next, zone) > day).toBe(true)
  })

  test.each([
    { label: 'New York, the first 01:30 of the repeated hour', iso: '2026-11-01T05:30:00Z', zone: 'America/New_York', day: '2026-11-01' },
    { label: 'New York, the second 01:30 of the repeated hour', iso: '2026-11-01T06:30:00Z', zone: 'America/New_York', day: '2026-11-01' },
    { label: 'UTC, last millisecond of the day', iso: '2026-03-07T23:59:59.999Z', zone: 'UTC', day: '2026-03-07' },
    { label: 'Kolkata, 18:29 UTC is still the same day', iso: '2026-06-14T18:29:00Z', zone: 'Asia/Kolkata', day: '2026-06-14' },
    { label: 'Chatham is ahead of UTC by a day in the evening', iso: '2026-06-14T20:00:00Z', zone: 'Pacific/Chatham', day: '2026-06-15' },
    { label: 'zone names are case-insensitive', iso: '2026-02-09T23:30:00Z', zone: 'europe/berlin', day: '2026-02-10' },
  ])('$label', ({ iso, zone, day }) => {
    expect(tradingDay(at(iso), zone)).toBe(day)
  })
})

describe('tradingDayStart', () => {
  test.each(midnights)('$label: from the first and the last minute of the day', ({ zone, startsAt, nextStartsAt }) => {
    expect(tradingDayStart(at(startsAt), zone)).toBe(at(startsAt))
    expect(tradingDayStart(at(startsAt) + MINUTE, zone)).toBe(at(startsAt))
    expect(tradingDayStart(at(nextStartsAt) - MINUTE, zone)).toBe(at(startsAt))
    expect(tradingDayStart(at(nextStartsAt) - 1, zone)).toBe(at(startsAt))
  })

  test.each(midnights)('$label: a minute before midnight belongs to the previous day', ({ zone, startsAt }) => {
    const previousStart = tradingDayStart(at(startsAt) - MINUTE, zone)
    expect(previousStart).toBeLessThan(at(startsAt) - 22 * HOUR)
    expect(previousStart).toBeGreaterThan(at(startsAt) - 26 * HOUR)
  })

  test.each(midnights)('$label: the length of the day', ({ startsAt, nextStartsAt }) => {
    // Pins the fixtures themselves: DST days are 23 or 25 hours, others 24.
    const hours = (at(nextStartsAt) - at(startsAt)) / HOUR
    expect([23, 24, 25]).toContain(hours)
  })

  test.each(['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Pacific/Chatham', 'America/Santiago', 'Australia/Lord_Howe'])(
    '%s: through 2026, every start is the first instant of its day',
    (zone) => {
      const from = at('2026-01-01T00:00:00Z')
      // A step that is not a divisor of an hour lands at many different local times of day.
      for (let t = from; t < from + 366 * 24 * HOUR; t += 7 * HOUR + 13 * MINUTE + 1_234) {
        const start = tradingDayStart(t, zone)
        expect(start).toBeLessThanOrEqual(t)
        expect(tradingDay(start, zone)).toBe(tradingDay(t, zone))
        expect(tradingDay(start - 1, zone) < tradingDay(t, zone)).toBe(true)
      }
    },
  )
})

describe('bad input', () => {
  test.each(['Mars/Olympus', '', ' ', 'EST5EDT/Nowhere', '+05:30'])('time zone %j throws a RangeError naming it', (zone) => {
    expect(() => tradingDay(0, zone)).toThrow(RangeError)
    expect(() => tradingDay(0, zone)).toThrow(`the time zone "${zone}" is not one this server knows`)
    expect(() => tradingDayStart(0, zone)).toThrow(RangeError)
    expect(isValidTimeZone(zone)).toBe(false)
  })

  test.each([Number.NaN, Number.POSITIVE_INFINITY, 9e15])('instant %s throws a RangeError', (instant) => {
    expect(() => tradingDay(instant, 'UTC')).toThrow(RangeError)
    expect(() => tradingDayStart(instant, 'UTC')).toThrow(/not a valid epoch-ms time/)
  })

  test.each(['UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham'])('%s is a valid time zone', (zone) => {
    expect(isValidTimeZone(zone)).toBe(true)
  })
})

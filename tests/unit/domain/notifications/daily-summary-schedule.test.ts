import { describe, expect, it } from 'vitest'
import { dueSummary, localClock, localLabel, minutesOf } from '@/lib/domain/notifications/daily-summary-schedule'

const at = (iso: string) => Date.parse(iso)

describe('minutesOf', () => {
  it.each([
    ['00:00', 0],
    ['08:30', 510],
    ['23:59', 1439],
  ])('%s is %i minutes after midnight', (hhmm, m) => expect(minutesOf(hhmm)).toBe(m))

  it.each(['24:00', '8:30', '08:60', '', '08:30:00'])('refuses %j', (hhmm) => expect(() => minutesOf(hhmm)).toThrow(RangeError))
})

describe('localClock', () => {
  it.each([
    ['UTC', 'UTC', '2026-03-09T23:00:00Z', '2026-03-09', 1380],
    ['Asia/Tokyo (UTC+9): already the next day', 'Asia/Tokyo', '2026-03-09T23:00:00Z', '2026-03-10', 480],
    ['America/New_York (UTC−4 after 8 March 2026)', 'America/New_York', '2026-03-09T23:00:00Z', '2026-03-09', 1140],
    ['an unknown zone counts as UTC', 'Mars/Olympus', '2026-03-09T23:00:00Z', '2026-03-09', 1380],
  ])('%s', (_label, zone, iso, day, minutes) => expect(localClock(at(iso), zone)).toEqual({ day, minutes }))
})

describe('dueSummary', () => {
  it.each([
    // label, now, zone, at, sentOn, due day (null = not due), period [from, to)
    ['before the time', '2026-03-09T22:59:00Z', 'Asia/Tokyo', '08:00', null, null, null],
    ['at the time, never sent', '2026-03-09T23:00:00Z', 'Asia/Tokyo', '08:00', null, '2026-03-10', ['2026-03-08T23:00:00.000Z', '2026-03-09T23:00:00.000Z']],
    ['late (worker was down): the period still ends at the chosen time', '2026-03-10T05:17:00Z', 'Asia/Tokyo', '08:00', '2026-03-09', '2026-03-10', ['2026-03-08T23:00:00.000Z', '2026-03-09T23:00:00.000Z']],
    ['already sent today', '2026-03-09T23:30:00Z', 'Asia/Tokyo', '08:00', '2026-03-10', null, null],
    // Moved west after sending: the local day went back to one already covered.
    ['sent for a later day than today', '2026-03-09T23:30:00Z', 'UTC', '08:00', '2026-03-10', null, null],
    ['UTC user, same instant, later time', '2026-03-09T23:00:00Z', 'UTC', '23:30', null, null, null],
    ['an unknown zone is read as UTC', '2026-03-09T23:30:00Z', 'Mars/Olympus', '23:30', null, '2026-03-09', ['2026-03-08T23:30:00.000Z', '2026-03-09T23:30:00.000Z']],
    // Europe/Berlin goes to summer time at 02:00 on 29 March 2026: 08:00 CEST is 06:00Z, a day of 23 hours.
    ['the day the clocks go forward', '2026-03-29T06:00:00Z', 'Europe/Berlin', '08:00', '2026-03-28', '2026-03-29', ['2026-03-28T06:00:00.000Z', '2026-03-29T06:00:00.000Z']],
    ['just before 08:00 CEST on that day', '2026-03-29T05:59:00Z', 'Europe/Berlin', '08:00', '2026-03-28', null, null],
  ] as const)('%s', (_label, now, zone, hhmm, sentOn, day, period) => {
    const due = dueSummary({ nowMs: at(now), timeZone: zone, at: hhmm, sentOn })
    expect(due?.day ?? null).toBe(day)
    expect(due ? [new Date(due.fromMs).toISOString(), new Date(due.toMs).toISOString()] : null).toEqual(period)
  })
})

describe('localLabel', () => {
  it('writes the local date and time', () => expect(localLabel(at('2026-03-09T23:05:00Z'), 'Asia/Tokyo')).toBe('2026-03-10 08:05'))
})

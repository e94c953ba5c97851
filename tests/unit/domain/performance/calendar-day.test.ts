import { describe, expect, test } from 'vitest'
import { addDays, dayStart, daysBetween } from '@/lib/domain/performance/calendar-day'

describe('addDays', () => {
  test.each([
    ['into a leap day', '2024-02-28', 1, '2024-02-29'],
    ['no leap day in 2023', '2023-02-28', 1, '2023-03-01'],
    ['2000 is a leap year (divisible by 400)', '2000-02-28', 1, '2000-02-29'],
    ['1900 is not (divisible by 100)', '1900-02-28', 1, '1900-03-01'],
    ['over the year end', '2024-12-31', 1, '2025-01-01'],
    ['backwards over a leap day', '2024-03-01', -1, '2024-02-29'],
    ['a whole leap year', '2024-01-01', 366, '2025-01-01'],
  ])('%s', (_label, day, n, expected) => {
    expect(addDays(day, n)).toBe(expected)
  })

  test('refuses what is not a day', () => {
    expect(() => addDays('2024-3-1', 1)).toThrow(RangeError)
  })
})

describe('daysBetween', () => {
  test.each([
    ['a leap year', '2024-01-01', '2025-01-01', 366],
    ['a common year', '2023-01-01', '2024-01-01', 365],
    ['the same day', '2024-05-05', '2024-05-05', 0],
    ['backwards', '2024-03-01', '2024-02-28', -2],
  ])('%s', (_label, from, to, expected) => {
    expect(daysBetween(from, to)).toBe(expected)
  })
})

describe('dayStart', () => {
  test.each([
    ['UTC', '2024-03-01', 'UTC', '2024-03-01T00:00:00.000Z'],
    ['New York in winter (UTC−5)', '2024-03-01', 'America/New_York', '2024-03-01T05:00:00.000Z'],
    ['New York on the day clocks go forward (still −5 at midnight)', '2024-03-10', 'America/New_York', '2024-03-10T05:00:00.000Z'],
    ['New York in summer (UTC−4)', '2024-07-01', 'America/New_York', '2024-07-01T04:00:00.000Z'],
    ['Tokyo (UTC+9): the evening before in UTC', '2024-03-01', 'Asia/Tokyo', '2024-02-29T15:00:00.000Z'],
    ['Kiritimati (UTC+14)', '2024-03-01', 'Pacific/Kiritimati', '2024-02-29T10:00:00.000Z'],
    ['Baker Island time (UTC−12)', '2024-03-01', 'Etc/GMT+12', '2024-03-01T12:00:00.000Z'],
    ['Santiago, where the clocks skip midnight (to 01:00 at 04:00 UTC)', '2024-09-08', 'America/Santiago', '2024-09-08T04:00:00.000Z'],
  ])('%s', (_label, day, timeZone, expected) => {
    expect(new Date(dayStart(day, timeZone)).toISOString()).toBe(expected)
  })
})

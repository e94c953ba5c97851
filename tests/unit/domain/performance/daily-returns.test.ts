import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { dailyReturns } from '@/lib/domain/performance/daily-returns'

const at = (iso: string) => Date.parse(iso)

describe('dailyReturns', () => {
  test.each([
    {
      label: 'UTC days; a day without snapshots keeps the previous close',
      timeZone: 'UTC',
      curve: [
        ['2024-03-01T00:00:00Z', '1'],
        ['2024-03-01T12:00:00Z', '1.01'],
        ['2024-03-01T18:00:00Z', '1.02'],
        ['2024-03-03T09:00:00Z', '1.0404'],
        ['2024-03-04T09:00:00Z', '1.0404'],
      ],
      // 03-01: 1.02 / 1 − 1 = 0.02; 03-02: none, 1.02 carried, 0; 03-03: 1.0404 / 1.02 − 1 = 0.02; 03-04: 0
      expected: [
        ['2024-03-01', '1.02', '0.02'],
        ['2024-03-02', '1.02', '0'],
        ['2024-03-03', '1.0404', '0.02'],
        ['2024-03-04', '1.0404', '0'],
      ],
    },
    {
      label: "days are the user's: 03:00 UTC is still the evening before in New York (UTC−5)",
      timeZone: 'America/New_York',
      curve: [
        ['2024-03-01T15:00:00Z', '1'],
        ['2024-03-02T03:00:00Z', '1.05'],
        ['2024-03-02T06:00:00Z', '0.9975'],
      ],
      // 03-01 (local): 1.05 / 1 − 1 = 0.05; 03-02: 0.9975 / 1.05 − 1 = 0.95 − 1 = −0.05
      expected: [
        ['2024-03-01', '1.05', '0.05'],
        ['2024-03-02', '0.9975', '-0.05'],
      ],
    },
    {
      label: 'one point: one day with a return of 0',
      timeZone: 'UTC',
      curve: [['2024-03-01T10:00:00Z', '1']],
      expected: [['2024-03-01', '1', '0']],
    },
    { label: 'no points', timeZone: 'UTC', curve: [], expected: [] },
  ])('$label', ({ timeZone, curve, expected }) => {
    const r = dailyReturns(
      curve.map(([t, v]) => ({ at: at(t!), index: dec(v!) })),
      timeZone,
    )
    expect(r.map((d) => [d.day, d.close.toFixed(), d.ret.toDecimalPlaces(12).toFixed()])).toEqual(expected)
  })
})

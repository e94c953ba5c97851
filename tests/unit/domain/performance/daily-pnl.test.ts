import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { dailyPnl } from '@/lib/domain/performance/daily-pnl'

const trades = [
  { closedAt: Date.parse('2024-03-01T10:00:00Z'), pnl: dec('5') },
  { closedAt: Date.parse('2024-03-01T20:00:00Z'), pnl: dec('-2') },
  { closedAt: Date.parse('2024-03-03T01:00:00Z'), pnl: dec('4.25') },
]

describe('dailyPnl', () => {
  test.each([
    {
      label: 'UTC: two trades on the first day (5 − 2 = 3), none on the second',
      timeZone: 'UTC',
      expected: [
        ['2024-03-01', '3', 2],
        ['2024-03-02', '0', 0],
        ['2024-03-03', '4.25', 1],
      ],
    },
    {
      label: 'Tokyo (UTC+9): 20:00 UTC is 05:00 the next morning',
      timeZone: 'Asia/Tokyo',
      expected: [
        ['2024-03-01', '5', 1],
        ['2024-03-02', '-2', 1],
        ['2024-03-03', '4.25', 1],
      ],
    },
  ])('$label', ({ timeZone, expected }) => {
    expect(dailyPnl(trades, timeZone).map((d) => [d.day, d.pnl.toFixed(), d.trades])).toEqual(expected)
  })

  test("closes with the same trade key (a group's legs) count as one trade that day, their PnL summed", () => {
    const legs = [
      { closedAt: Date.parse('2024-03-01T10:00:00Z'), pnl: dec('-3'), trade: 'g1' },
      { closedAt: Date.parse('2024-03-01T11:00:00Z'), pnl: dec('-1'), trade: 'g1' },
      { closedAt: Date.parse('2024-03-01T12:00:00Z'), pnl: dec('2'), trade: 'p9' },
      { closedAt: Date.parse('2024-03-02T09:00:00Z'), pnl: dec('-5'), trade: 'g1' },
    ]
    expect(dailyPnl(legs, 'UTC').map((d) => [d.day, d.pnl.toFixed(), d.trades])).toEqual([
      ['2024-03-01', '-2', 2],
      ['2024-03-02', '-5', 1],
    ])
  })

  test('no trades, no bars', () => {
    expect(dailyPnl([], 'UTC')).toEqual([])
  })
})

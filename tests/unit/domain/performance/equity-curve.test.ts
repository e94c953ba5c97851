import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { combineAccountCurves } from '@/lib/domain/performance/equity-curve'

const pt = (accountId: string, at: number, equity: string) => ({ accountId, at, equity: dec(equity) })

describe('combineAccountCurves', () => {
  test.each([
    {
      label: 'one account: the index is equity / first equity',
      points: [pt('A', 0, '100'), pt('A', 1, '110'), pt('A', 2, '99')],
      // 110 / 100 = 1.1; 99 / 100 = 0.99
      expected: [
        { at: 0, equity: '100', index: '1', inflow: '100' },
        { at: 1, equity: '110', index: '1.1', inflow: '0' },
        { at: 2, equity: '99', index: '0.99', inflow: '0' },
      ],
    },
    {
      label: 'a second account funded later is money arriving, not a gain',
      points: [pt('A', 0, '100'), pt('A', 1, '110'), pt('B', 1, '50'), pt('A', 2, '110'), pt('B', 2, '55')],
      // t1: (160 − 50) / 100 = 1.1; t2: 1.1 × 165 / 160 = 1.1 × 1.03125 = 1.134375
      expected: [
        { at: 0, equity: '100', index: '1', inflow: '100' },
        { at: 1, equity: '160', index: '1.1', inflow: '50' },
        { at: 2, equity: '165', index: '1.134375', inflow: '0' },
      ],
    },
    {
      label: 'snapshots that do not line up: each account counts with its latest one',
      points: [pt('A', 0, '100'), pt('B', 5, '200'), pt('A', 9, '90')],
      // t5: (300 − 200) / 100 = 1; t9: A 90 + B 200 = 290, 1 × 290 / 300 = 0.96666…
      expected: [
        { at: 0, equity: '100', index: '1', inflow: '100' },
        { at: 5, equity: '300', index: '1', inflow: '200' },
        { at: 9, equity: '290', index: '0.9666666667', inflow: '0' },
      ],
    },
    {
      label: 'given out of order, read in time order',
      points: [pt('A', 2, '120'), pt('A', 0, '100')],
      expected: [
        { at: 0, equity: '100', index: '1', inflow: '100' },
        { at: 2, equity: '120', index: '1.2', inflow: '0' },
      ],
    },
    { label: 'no snapshots', points: [], expected: [] },
  ])('$label', ({ points, expected }) => {
    expect(
      combineAccountCurves(points).map((p) => ({ at: p.at, equity: p.equity.toFixed(), index: p.index.toDecimalPlaces(10).toFixed(), inflow: p.inflow.toFixed() })),
    ).toEqual(expected)
  })
})

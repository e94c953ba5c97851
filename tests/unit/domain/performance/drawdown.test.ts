import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { drawdownSeries, maxDrawdown } from '@/lib/domain/performance/drawdown'

const DAY = 86_400_000
const curve = (values: string[]) => values.map((v, i) => ({ at: i * DAY, index: dec(v) }))

describe('maxDrawdown', () => {
  test.each([
    {
      label: 'the deepest fall, recovered later',
      // peak 1.2 (day 1) → 0.9 (day 2): 0.3 / 1.2 = 0.25; back to 1.2 on day 4: 3 days.
      // The later fall 1.3 → 1.04 is 0.26 / 1.3 = 0.2, less deep.
      values: ['1', '1.2', '0.9', '1.0', '1.2', '1.3', '1.04'],
      expected: { depth: '0.25', peakAt: 1 * DAY, troughAt: 2 * DAY, recoveredAt: 4 * DAY, durationMs: 3 * DAY },
    },
    {
      label: 'not recovered: the duration runs to the last point',
      // 2 → 1 is 50 %; still below 2 on day 3: from day 1 to day 3 = 2 days.
      values: ['1', '2', '1', '1.5'],
      expected: { depth: '0.5', peakAt: 1 * DAY, troughAt: 2 * DAY, recoveredAt: null, durationMs: 2 * DAY },
    },
    {
      label: 'two falls as deep: the first one',
      values: ['1', '0.5', '1', '0.5'],
      expected: { depth: '0.5', peakAt: 0, troughAt: 1 * DAY, recoveredAt: 2 * DAY, durationMs: 2 * DAY },
    },
    {
      label: 'only rising: no drawdown',
      values: ['1', '1.1', '1.2'],
      expected: { depth: '0', peakAt: null, troughAt: null, recoveredAt: null, durationMs: 0 },
    },
    { label: 'no points', values: [], expected: { depth: '0', peakAt: null, troughAt: null, recoveredAt: null, durationMs: 0 } },
  ])('$label', ({ values, expected }) => {
    const r = maxDrawdown(curve(values))
    expect({ ...r, depth: r.depth.toFixed() }).toEqual(expected)
  })
})

describe('drawdownSeries', () => {
  test('each point against the highest value so far', () => {
    // 0.9 / 1.2 − 1 = −0.25; 1.0 / 1.2 − 1 = −0.1666…; 1.04 / 1.3 − 1 = −0.2
    expect(drawdownSeries(curve(['1', '1.2', '0.9', '1.0', '1.2', '1.3', '1.04'])).map((p) => p.drawdown.toDecimalPlaces(6).toFixed())).toEqual([
      '0',
      '0',
      '-0.25',
      '-0.166667',
      '0',
      '0',
      '-0.2',
    ])
  })
})

import { describe, expect, test } from 'vitest'
import { exposure } from '@/lib/domain/performance/exposure'

describe('exposure', () => {
  test.each([
    {
      label: 'overlapping trades count once, and only inside the period',
      period: { start: 0, end: 100 },
      trades: [
        { start: 10, end: 30 },
        { start: 20, end: 40 },
        { start: 50, end: 60 },
        { start: 90, end: 130 },
        { start: -20, end: 5 },
      ],
      // [0, 5] = 5, [10, 40] = 30, [50, 60] = 10, [90, 100] = 10: 55 of 100
      expected: { inMarketMs: 55, periodMs: 100, share: '0.55' },
    },
    {
      label: 'a trade inside another',
      period: { start: 0, end: 200 },
      trades: [
        { start: 0, end: 100 },
        { start: 20, end: 30 },
      ],
      expected: { inMarketMs: 100, periodMs: 200, share: '0.5' },
    },
    { label: 'no trades', period: { start: 0, end: 10 }, trades: [], expected: { inMarketMs: 0, periodMs: 10, share: '0' } },
    { label: 'an empty period', period: { start: 5, end: 5 }, trades: [{ start: 0, end: 10 }], expected: { inMarketMs: 0, periodMs: 0, share: '— the period is empty' } },
  ])('$label', ({ period, trades, expected }) => {
    const r = exposure(trades, period)
    expect({ inMarketMs: r.inMarketMs, periodMs: r.periodMs, share: r.share.value === null ? `— ${r.share.reason}` : r.share.value.toFixed() }).toEqual(expected)
  })
})

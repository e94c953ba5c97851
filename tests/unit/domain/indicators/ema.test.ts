import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { ema, exponentialSmoothing } from '@/lib/domain/indicators/ema'

const decs = (xs: (string | number)[]) => xs.map((x) => dec(x))
const strs = (xs: { toFixed(): string }[]) => xs.map((x) => x.toFixed())

describe('ema', () => {
  test.each([
    // alpha = 2/(3+1) = 0.5; seed (1+2+3)/3 = 2; then 2+0.5(4-2)=3, 3+0.5(5-3)=4, 4+0.5(6-4)=5
    { label: 'period 3 on a ramp', values: [1, 2, 3, 4, 5, 6], period: 3, expected: ['2', '3', '4', '5'] },
    // alpha = 0.4; seed 46/4 = 11.5; 11.5+0.4(14-11.5)=12.5; 12.5+0.4(12-12.5)=12.3
    { label: 'period 4 with a pullback', values: [10, 11, 12, 13, 14, 12], period: 4, expected: ['11.5', '12.5', '12.3'] },
    { label: 'exactly period values give the simple average', values: [3, 5, 10], period: 3, expected: ['6'] },
    { label: 'fewer values than the period give nothing', values: [3, 5], period: 3, expected: [] },
    { label: 'period 1 follows the values', values: ['1.5', '2.25', 7], period: 1, expected: ['1.5', '2.25', '7'] },
    // alpha = 0.2; seed 100; 100+0.2(110-100)=102; 102+0.2(90-102)=99.6
    { label: 'period 9 alpha 0.2', values: [...Array(9).fill(100), 110, 90], period: 9, expected: ['100', '102', '99.6'] },
  ])('$label', ({ values, period, expected }) => {
    expect(strs(ema(decs(values), period))).toEqual(expected)
  })

  test.each([{ period: 0 }, { period: -2 }, { period: 2.5 }])('period $period is rejected', ({ period }) => {
    expect(() => ema(decs([1, 2, 3]), period)).toThrow(RangeError)
  })

  test('a linear series keeps the EMA exactly (period - 1)/2 steps behind', () => {
    const closes = Array.from({ length: 40 }, (_, i) => dec(1000 + 10 * i))
    const out = ema(closes, 9)
    // 10 per step × (9 - 1)/2 = 40 behind the latest close, at every point
    out.forEach((v, i) => expect(closes[i + 8].minus(v).toFixed()).toBe('40'))
  })

  test('exponentialSmoothing with alpha 1/period is Wilder smoothing', () => {
    // seed (2+4)/2 = 3; 3 + (8-3)/2 = 5.5
    expect(strs(exponentialSmoothing(decs([2, 4, 8]), 2, dec('0.5')))).toEqual(['3', '5.5'])
  })
})

import { describe, expect, test } from 'vitest'
import { amountTick, percentTick, zeroBasedAxis } from '@/lib/ui/chart-axes'

describe('percentTick', () => {
  test.each([
    [0, '0%'],
    [-0.0025, '-0.0025%'],
    [-0.005, '-0.005%'],
    [-0.0075, '-0.0075%'],
    [-0.5, '-0.5%'],
    [-2.5, '-2.5%'],
    [-12.5, '-12.5%'],
    [-40, '-40%'],
    [-0.30000000000000004, '-0.3%'],
  ])('%s reads %s', (v, text) => {
    expect(percentTick(v)).toBe(text)
  })
})

describe('amountTick', () => {
  test.each([
    [9999.8, '9,999.80'],
    [0.0512, '0.0512'],
    [0.051200000000000006, '0.0512'],
    [1e-7, '0.0000001'],
  ])('%s reads %s', (v, text) => {
    expect(amountTick(v)).toBe(text)
  })
})

describe('zeroBasedAxis', () => {
  test.each([
    ['one losing day', [-0.0601001], [-0.08, -0.06, -0.04, -0.02, 0]],
    ['gains only', [3, 7.2], [0, 2, 4, 6, 8]],
    ['both sides', [-2, 5], [-2, 0, 2, 4, 6]],
    ['a quarter step', [-0.1, 0.9], [-0.25, 0, 0.25, 0.5, 0.75, 1]],
    ['large', [12345.67], [0, 5000, 10000, 15000]],
  ])('%s', (_label, values, ticks) => {
    const axis = zeroBasedAxis(values)
    expect(axis.ticks).toEqual(ticks)
    expect(axis.domain).toEqual([ticks[0], ticks[ticks.length - 1]])
  })
  test('nothing but zero still has an axis', () => {
    expect(zeroBasedAxis([0, 0]).ticks).toEqual([0, 1])
  })
})

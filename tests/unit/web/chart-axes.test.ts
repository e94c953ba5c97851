import { describe, expect, test } from 'vitest'
import { amountTick, percentTick, ZERO_BASED_DOMAIN } from '@/lib/ui/chart-axes'

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

describe('ZERO_BASED_DOMAIN', () => {
  test('reaches zero from either side and keeps data that spans it', () => {
    const [lo, hi] = ZERO_BASED_DOMAIN
    expect([lo(-0.09), hi(-0.05)]).toEqual([-0.09, 0])
    expect([lo(3), hi(7)]).toEqual([0, 7])
    expect([lo(-2), hi(5)]).toEqual([-2, 5])
  })
})

import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { logReturnVolatility } from '@/lib/domain/indicators/volatility'

const decs = (xs: (string | number)[]) => xs.map((x) => dec(x))
const ln2 = dec(2).ln()

describe('logReturnVolatility', () => {
  test.each([
    // returns ln2, -ln2, ln2; mean ln2/3; squared deviations sum 24/9·ln²2; /(3-1) → stdev 2·ln2/√3
    { label: 'doubling and halving', closes: [100, 200, 100, 200], expected: ln2.mul(2).div(dec(3).sqrt()) },
    // returns ln2, ln2: no dispersion at all
    { label: 'constant growth has zero volatility', closes: [1, 2, 4], expected: dec(0) },
    { label: 'flat prices', closes: [5, 5, 5, 5], expected: dec(0) },
    // returns ln1.1, ln0.9: stdev of two values = |a - b| / √2
    { label: 'two returns', closes: [100, 110, 99], expected: dec('1.1').ln().minus(dec('0.9').ln()).abs().div(dec(2).sqrt()) },
  ])('$label', ({ closes, expected }) => {
    const v = logReturnVolatility(decs(closes))!
    // Computed in binary floating point (see the function): exact to about 15 significant digits.
    expect(v.minus(expected).abs().lt('1e-13')).toBe(true)
  })

  test('the doubling case is about 80 % per bar', () => {
    expect(logReturnVolatility(decs([100, 200, 100, 200]))!.toDecimalPlaces(6).toFixed()).toBe('0.800377')
  })

  test.each([
    { label: 'no closes', closes: [] },
    { label: 'one close', closes: [100] },
    { label: 'two closes (one return)', closes: [100, 101] },
  ])('$label: null', ({ closes }) => {
    expect(logReturnVolatility(decs(closes))).toBeNull()
  })

  test.each([{ bad: 0 }, { bad: -1 }])('a close of $bad is rejected', ({ bad }) => {
    expect(() => logReturnVolatility(decs([100, bad, 100]))).toThrow(RangeError)
  })
})

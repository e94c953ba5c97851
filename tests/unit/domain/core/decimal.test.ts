import { describe, expect, test } from 'vitest'
import { Decimal as ForeignDecimal } from 'decimal.js'
import { Decimal, dec, maxDec, minDec, sumDec, ZERO } from '@/lib/domain/decimal'

describe('Decimal configuration', () => {
  test.each([
    { label: 'satoshi', input: '1e-8', printed: '0.00000001' },
    { label: 'tiny fee', input: '1.5e-20', printed: '0.000000000000000000015' },
    { label: 'large notional', input: '123456789012345678901234567890.5', printed: '123456789012345678901234567890.5' },
    { label: 'plain price', input: '60123.45', printed: '60123.45' },
  ])('$label prints without exponent notation', ({ input, printed }) => {
    expect(dec(input).toString()).toBe(printed)
  })

  test.each([
    { label: '1/3 keeps 40 significant digits', a: '1', b: '3', quotient: '0.' + '3'.repeat(40) },
    { label: '2/3 rounds the 40th digit half up', a: '2', b: '3', quotient: '0.' + '6'.repeat(39) + '7' },
  ])('$label', ({ a, b, quotient }) => {
    expect(dec(a).div(b).toString()).toBe(quotient)
  })

  test.each([
    { label: '2.5 → 3', input: '2.5', rounded: '3' },
    { label: '-2.5 → -3 (away from zero)', input: '-2.5', rounded: '-3' },
    { label: '2.45 → 2.5 at 1 dp', input: '2.45', rounded: '2.5', dp: 1 },
  ])('rounds half up: $label', ({ input, rounded, dp }) => {
    expect(dec(input).toDecimalPlaces(dp ?? 0).toString()).toBe(rounded)
  })

  test('is a clone: the global decimal.js settings do not leak in', () => {
    expect(Decimal).not.toBe(ForeignDecimal)
    expect(Decimal.precision).toBe(40)
    expect(ForeignDecimal.precision).toBe(20)
  })

  test('dec re-creates a foreign decimal.js value with the domain precision', () => {
    const foreign = new ForeignDecimal(1)
    expect(dec(foreign).div(3).toString()).toBe('0.' + '3'.repeat(40))
  })

  test('dec reads numbers through their shortest form, so 0.1 + 0.2 is exactly 0.3', () => {
    expect(dec(0.1).plus(dec(0.2)).toString()).toBe('0.3')
  })
})

describe('sumDec / minDec / maxDec', () => {
  test.each([
    { label: 'empty sum is zero', values: [] as string[], sum: '0' },
    { label: 'fees', values: ['0.1', '0.2', '0.0000001'], sum: '0.3000001' },
    { label: 'mixed signs', values: ['10', '-12.5', '0.5'], sum: '-2' },
  ])('sumDec: $label', ({ values, sum }) => {
    expect(sumDec(values.map(dec)).toString()).toBe(sum)
  })

  test.each([
    { label: 'single value', values: ['5'], min: '5', max: '5' },
    { label: 'unsorted', values: ['3', '-1.5', '7', '0'], min: '-1.5', max: '7' },
    { label: 'differs at the 8th decimal', values: ['0.00000002', '0.00000001'], min: '0.00000001', max: '0.00000002' },
  ])('minDec/maxDec: $label', ({ values, min, max }) => {
    const [first, ...rest] = values.map(dec)
    expect(minDec(first, ...rest).toString()).toBe(min)
    expect(maxDec(first, ...rest).toString()).toBe(max)
  })

  test('ZERO is zero', () => {
    expect(ZERO.isZero()).toBe(true)
  })
})

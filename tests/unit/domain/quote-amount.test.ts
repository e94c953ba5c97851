import { describe, expect, it } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { roundQuoteAmount } from '@/lib/domain/quote-amount'

describe('roundQuoteAmount', () => {
  it.each([
    ['9899.6856332046', '9899.69'],
    ['10086.9', '10086.90'],
    ['1234567.891', '1234567.89'],
    ['10000', '10000.00'],
    ['512.3456', '512.346'],
    ['0.0512345678', '0.0512346'],
    ['0.05', '0.05'],
    ['0.00001234567', '0.00001235'],
    ['-0.3687757396', '-0.368776'],
    ['-12.4', '-12.40'],
    ['0', '0.00'],
    ['99999.995', '100000.00'],
  ])('%s reads %s', (amount, text) => {
    expect(roundQuoteAmount(dec(amount))).toBe(text)
  })

  it('writes a loss too small for 8 places as zero, not as a negative zero', () => {
    expect(roundQuoteAmount(dec('-0.000000001'))).toBe('0.00')
    expect(roundQuoteAmount(dec('-0.000000005'))).toBe('-0.00000001')
  })
})

import { describe, expect, test } from 'vitest'
import { formatBalance, formatDecimal, formatPercent, formatPnl, formatQuoteAmount, pnlTone } from '@/lib/ui/decimal-format'

describe('formatDecimal', () => {
  test.each([
    ['exact digits kept', '65000.123456789', {}, '65,000.123456789'],
    ['no float noise', '0.30000000000000000001', {}, '0.30000000000000000001'],
    ['fixed places round half up', '1.005', { dp: 2 }, '1.01'],
    ['pads to places', '12', { dp: 2 }, '12.00'],
    ['negative grouped', '-1234567.5', { dp: 1 }, '-1,234,567.5'],
    ['sign on positive', '3.2', { dp: 2, sign: true }, '+3.20'],
    ['no sign on zero', '0', { dp: 2, sign: true }, '0.00'],
    ['tiny negative rounds to unsigned zero', '-0.001', { dp: 2 }, '0.00'],
    ['grouping can be off', '1234.5', { group: false }, '1234.5'],
    ['satoshi precision', '0.00000001', {}, '0.00000001'],
    ['max places rounds', '4.99995', { maxDp: 4, minDp: 2 }, '5.00'],
    ['max places keeps significant digits', '4.9999', { maxDp: 4, minDp: 2 }, '4.9999'],
    ['trailing zeros trimmed to min places', '12.5', { maxDp: 4, minDp: 2 }, '12.50'],
    ['integer padded to min places', '7', { maxDp: 4, minDp: 2 }, '7.00'],
    ['no min places', '7.1000', { maxDp: 4 }, '7.1'],
  ] as const)('%s', (_label, value, opts, expected) => {
    expect(formatDecimal(value, opts)).toBe(expected)
  })

  test.each([
    ['null', null],
    ['undefined', undefined],
    ['empty', ''],
    ['garbage', 'abc'],
  ])('%s renders as a dash', (_label, value) => {
    expect(formatDecimal(value as string | null | undefined)).toBe('—')
  })
})

describe('formatPnl / formatPercent', () => {
  test.each([
    ['profit', '12.345', '+12.345', '+12.35%'],
    ['small profit keeps 4 places', '4.99990000', '+4.9999', '+5.00%'],
    ['loss', '-0.5', '-0.50', '-0.50%'],
    ['tiny loss keeps six significant digits', '-0.00421', '-0.00421', '0.00%'],
    ['BTC-quoted profit is not rounded away', '0.0000123456', '+0.00001235', '0.00%'],
    ['large profit has 2 places', '12345.678', '+12,345.68', '+12,345.68%'],
    ['flat', '0', '0.00', '0.00%'],
  ])('%s', (_label, value, pnl, pct) => {
    expect(formatPnl(value)).toBe(pnl)
    expect(formatPercent(value)).toBe(pct)
  })
  test('missing percent stays a dash', () => {
    expect(formatPercent(null)).toBe('—')
  })
})

describe('pnlTone', () => {
  test.each([
    ['gain', '0.01', 'text-emerald-400'],
    ['loss', '-0.01', 'text-red-400'],
    ['small but shown', '0.004', 'text-emerald-400'],
    ['rounds to zero', '0.000000004', 'text-neutral-300'],
    ['rounds to zero, negative', '-0.000000004', 'text-neutral-300'],
    ['missing', null, 'text-neutral-400'],
  ])('%s', (_label, value, tone) => {
    expect(pnlTone(value)).toBe(tone)
  })
})

describe('formatBalance', () => {
  test.each([
    ['quote, fee-laden paper balance', '9899.6856332046', true, '9,899.69'],
    ['quote, whole', '10000', true, '10,000.00'],
    ['quote, small BTC-quoted balance keeps its digits', '0.0512345678', true, '0.0512346'],
    ['quote, around one', '1.23456789', true, '1.23457'],
    ['quote, zero', '0', true, '0.00'],
    ['quote, negative', '-12.345678', true, '-12.3457'],
    ['base asset, every digit', '0.00012345', false, '0.00012345'],
    ['base asset, large', '1234.5', false, '1,234.5'],
  ])('%s', (_label, amount, isQuote, text) => {
    expect(formatBalance(amount, isQuote).text).toBe(text)
  })
  test('the exact value is kept for the tooltip', () => {
    expect(formatBalance('9899.6856332046', true).exact).toBe('9,899.6856332046')
  })
})

describe('formatQuoteAmount', () => {
  test.each([
    ['a paper fee', '0.6000001', '0.60'],
    ['fees of a BTC-quoted trader are not rounded to zero (at most 8 places)', '0.0000123456', '0.00001235'],
    ['a large total, grouped', '1234.56789', '1,234.57'],
    ['missing', null, '—'],
  ])('%s', (_label, value, text) => {
    expect(formatQuoteAmount(value)).toBe(text)
  })
})

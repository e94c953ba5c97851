import { describe, expect, test } from 'vitest'
import { dec, sumDec } from '@/lib/domain/decimal'
import { DomainError } from '@/lib/domain/errors'
import { lastLevelTakesRest, splitTakeProfitQty } from '@/lib/domain/positions/take-profit-split'

const levels = (...shares: string[]) => shares.map((s) => ({ sharePct: dec(s) }))

describe('splitTakeProfitQty', () => {
  test.each([
    // 1 × 50 % = 0.5 each
    { label: 'even halves', qty: '1', shares: ['50', '50'], step: '0.001', out: ['0.5', '0.5'] },
    // 0.003 × 50 % = 0.0015 → 0.001; last takes 0.003 − 0.001 = 0.002
    { label: 'odd step count, remainder to the last', qty: '0.003', shares: ['50', '50'], step: '0.001', out: ['0.001', '0.002'] },
    // 1 × 33.33 % = 0.3333 → 0.33 (twice); last 1 − 0.66 = 0.34
    { label: 'thirds', qty: '1', shares: ['33.33', '33.33', '33.34'], step: '0.01', out: ['0.33', '0.33', '0.34'] },
    // 0.1 × 33 % = 0.033; 0.033; last 0.1 − 0.066 = 0.034
    { label: 'uneven 33/33/34', qty: '0.1', shares: ['33', '33', '34'], step: '0.001', out: ['0.033', '0.033', '0.034'] },
    // 1.00000001 × 50 % = 0.500000005 → 0.5; last 0.50000001
    { label: 'satoshi steps', qty: '1.00000001', shares: ['50', '50'], step: '0.00000001', out: ['0.5', '0.50000001'] },
    { label: 'single 100 % level takes everything', qty: '0.12345', shares: ['100'], step: '0.00001', out: ['0.12345'] },
    // shares sum to 60: both truncated, 0.4 stays open for the stop
    { label: 'under 100 %: no remainder assigned', qty: '1', shares: ['30', '30'], step: '0.01', out: ['0.3', '0.3'] },
    // 0.007 × 33.33 % = 0.0023331 → 0.002 each; 0.003 stays open
    { label: 'under 100 %: each level truncated', qty: '0.007', shares: ['33.33', '33.33'], step: '0.001', out: ['0.002', '0.002'] },
    // 0.01 × 5 % = 0.0005 → 0 (below one step); last 0.01 − 0 = 0.01
    { label: 'a level smaller than a step comes out as 0', qty: '0.01', shares: ['5', '95'], step: '0.001', out: ['0', '0.01'] },
    { label: 'no levels', qty: '1', shares: [], step: '0.01', out: [] },
  ])('$label', ({ qty, shares, step, out }) => {
    const result = splitTakeProfitQty(dec(qty), levels(...shares), dec(step))
    expect(result.map(String)).toEqual(out)
  })

  test.each([
    { label: 'thirds', qty: '0.0999', shares: ['33.33', '33.33', '33.34'], step: '0.0001' },
    { label: 'many small levels', qty: '2.71828', shares: ['10', '15', '20', '25', '30'], step: '0.00001' },
  ])('shares of 100 % exit the whole position with no dust: $label', ({ qty, shares, step }) => {
    const parts = splitTakeProfitQty(dec(qty), levels(...shares), dec(step))
    expect(sumDec(parts).toString()).toBe(qty)
  })

  test('shares above 100 % are refused', () => {
    expect(() => splitTakeProfitQty(dec(1), levels('60', '50'), dec('0.01'))).toThrow(DomainError)
  })
})

describe('lastLevelTakesRest', () => {
  const level = (status: string, sharePct: string) => ({ status, sharePct: dec(sharePct) })
  test.each([
    { name: 'one level of 100%', levels: [level('ACTIVE', '100')], want: true },
    { name: 'the last of 50 + 50, the first filled', levels: [level('FILLED', '50'), level('ACTIVE', '50')], want: true },
    { name: 'one level of 50%: the rest stays for the stop', levels: [level('ACTIVE', '50')], want: false },
    { name: 'two levels still active', levels: [level('ACTIVE', '50'), level('ACTIVE', '50')], want: false },
    { name: '30 + 30 + 40, two filled', levels: [level('FILLED', '30'), level('FILLED', '30'), level('ACTIVE', '40')], want: true },
    { name: 'no active level', levels: [level('FILLED', '100')], want: false },
  ])('$name → $want', ({ levels, want }) => {
    expect(lastLevelTakesRest(levels)).toBe(want)
  })
})

import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import type { Metric } from '@/lib/domain/performance/metric'
import { calmarRatio, sharpeRatio, sortinoRatio } from '@/lib/domain/performance/risk-ratios'

const m = (x: Metric) => (x.value === null ? `— ${x.reason}` : x.value.toFixed(4))
const rs = (values: string[]) => values.map((v) => dec(v))

describe('sharpeRatio (daily returns, 365 periods a year)', () => {
  test.each([
    // mean 0.01; deviations ±0.01, squares 4 × 0.0001 = 0.0004, /3 → variance 0.0004 / 3
    // Sharpe = 0.01 / √(0.0004 / 3) × √365 = √(0.0001 × 3 / 0.0004 × 365) = √(0.75 × 365) = √273.75 = 16.5454
    { label: 'steady gains', returns: ['0.02', '0', '0.02', '0'], expected: '16.5454' },
    // mean 0.005; deviations 0.025, −0.015, 0.015, −0.025: squares 0.000625 + 0.000225 + 0.000225 + 0.000625 = 0.0017, /3
    // Sharpe = √(0.005² × 3 / 0.0017 × 365) = √(0.027375 / 0.0017) = √16.1029… = 4.0128
    { label: 'gains and losses', returns: ['0.03', '-0.01', '0.02', '-0.02'], expected: '4.0128' },
    // mean −0.005, same spread: the negative of the row above
    { label: 'losing on average', returns: ['-0.03', '0.01', '-0.02', '0.02'], expected: '-4.0128' },
    { label: 'one day', returns: ['0.01'], expected: '— needs at least 2 days of equity history' },
    { label: 'no variation', returns: ['0.01', '0.01', '0.01'], expected: '— daily returns never varied' },
  ])('$label', ({ returns, expected }) => {
    expect(m(sharpeRatio(rs(returns)))).toBe(expected)
  })
})

describe('sortinoRatio', () => {
  test.each([
    // downside: (−0.01)² + (−0.02)² = 0.0005, /4 days = 0.000125; mean 0.005
    // Sortino = 0.005 / √0.000125 × √365 = √(0.000025 / 0.000125 × 365) = √(0.2 × 365) = √73 = 8.5440
    { label: 'gains and losses', returns: ['0.03', '-0.01', '0.02', '-0.02'], expected: '8.5440' },
    // downside: 0.01² / 2 = 0.00005; mean (0.03 − 0.01) / 2 = 0.01
    // Sortino = 0.01 / √0.00005 × √365 = √(0.0001 / 0.00005 × 365) = √730 = 27.0185
    { label: 'one losing day of two', returns: ['0.03', '-0.01'], expected: '27.0185' },
    { label: 'no losing day', returns: ['0.02', '0', '0.02', '0'], expected: '— no losing days' },
    { label: 'one day', returns: ['-0.01'], expected: '— needs at least 2 days of equity history' },
  ])('$label', ({ returns, expected }) => {
    expect(m(sortinoRatio(rs(returns)))).toBe(expected)
  })
})

describe('calmarRatio', () => {
  test.each([
    // 0.3 / 0.15 = 2
    { label: '30 % a year with a 15 % drawdown', annualized: '0.3', maxDrawdown: '0.15', expected: '2.0000' },
    // −0.1 / 0.25 = −0.4
    { label: 'a losing year', annualized: '-0.1', maxDrawdown: '0.25', expected: '-0.4000' },
    { label: 'no drawdown', annualized: '0.3', maxDrawdown: '0', expected: '— no drawdown' },
  ])('$label', ({ annualized, maxDrawdown, expected }) => {
    expect(m(calmarRatio({ value: dec(annualized), reason: null }, dec(maxDrawdown)))).toBe(expected)
  })

  test('passes on why the annualized return is missing', () => {
    expect(m(calmarRatio({ value: null, reason: 'needs at least a day of equity history' }, dec('0.1')))).toBe('— needs at least a day of equity history')
  })
})

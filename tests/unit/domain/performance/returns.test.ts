import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import type { Metric } from '@/lib/domain/performance/metric'
import { annualizedReturn, totalReturn } from '@/lib/domain/performance/returns'

const DAY = 86_400_000
const m = (x: Metric, dp = 10) => (x.value === null ? `— ${x.reason}` : x.value.toDecimalPlaces(dp).toFixed())
const curve = (values: string[]) => values.map((v, i) => ({ at: i * DAY, index: dec(v) }))

describe('totalReturn', () => {
  test.each([
    { label: '100 → 121 is +21 %', values: ['100', '90', '121'], expected: '0.21' },
    { label: 'a loss', values: ['1', '0.75'], expected: '-0.25' },
    { label: 'one point: 0', values: ['1'], expected: '0' },
    { label: 'no points', values: [], expected: '— no equity snapshots in the period' },
    { label: 'starting at zero', values: ['0', '5'], expected: '— the period starts with no equity' },
  ])('$label', ({ values, expected }) => {
    expect(m(totalReturn(curve(values)))).toBe(expected)
  })
})

describe('annualizedReturn (CAGR)', () => {
  test.each([
    // (1.21)^(365 / 730) − 1 = √1.21 − 1 = 1.1 − 1 = 0.1
    { label: '+21 % over two years is +10 % a year', total: '0.21', days: 730, expected: '0.1' },
    // (1.21)^(365 / 182.5) − 1 = 1.21² − 1 = 1.4641 − 1 = 0.4641
    { label: '+21 % over half a year is +46.41 % a year', total: '0.21', days: 182.5, expected: '0.4641' },
    // (0.81)^(365 / 730) − 1 = 0.9 − 1 = −0.1
    { label: '−19 % over two years is −10 % a year', total: '-0.19', days: 730, expected: '-0.1' },
    // exactly a year: the total itself
    { label: 'one year', total: '0.07', days: 365, expected: '0.07' },
    { label: 'under a day', total: '0.01', days: 0.5, expected: '— needs at least a day of equity history' },
    { label: 'everything lost', total: '-1', days: 30, expected: '— equity fell to zero' },
  ])('$label', ({ total, days, expected }) => {
    expect(m(annualizedReturn({ value: dec(total), reason: null }, days * DAY))).toBe(expected)
  })

  test('passes on why the total return is missing', () => {
    expect(m(annualizedReturn({ value: null, reason: 'no equity snapshots in the period' }, 10 * DAY))).toBe('— no equity snapshots in the period')
  })
})

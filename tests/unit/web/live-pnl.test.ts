import { describe, expect, test } from 'vitest'
import { livePnl, sumDecimalStrings } from '@/lib/ui/live-pnl'

describe('livePnl', () => {
  test.each([
    // label, side, qty, avg, bid, ask, mark, pnl, pct
    ['LONG marks at the bid', 'LONG', '0.5', '60000', '61000', '61001', '61000', '500', '1.666666666666666666666666666666666666667'],
    ['SHORT marks at the ask', 'SHORT', '2', '100', '89.9', '90', '90', '20', '10'],
    ['LONG under water', 'LONG', '0.1', '0.3', '0.1', '0.2', '0.1', '-0.02', '-66.66666666666666666666666666666666666667'],
    ['exact decimals (no float drift)', 'LONG', '3', '0.1', '0.3', '0.31', '0.3', '0.6', '200'],
  ] as const)('%s', (_label, side, openQty, avgEntryPrice, bid, ask, mark, pnl, pct) => {
    expect(livePnl({ side, openQty, avgEntryPrice }, { bid, ask })).toEqual({ mark, pnl, pct })
  })

  test.each([
    ['no quote', { side: 'LONG', openQty: '1', avgEntryPrice: '10' }, undefined],
    ['flat position', { side: 'LONG', openQty: '0', avgEntryPrice: '10' }, { bid: '11', ask: '12' }],
    ['zero mark', { side: 'SHORT', openQty: '1', avgEntryPrice: '10' }, { bid: '0', ask: '0' }],
    ['unparsable quote', { side: 'LONG', openQty: '1', avgEntryPrice: '10' }, { bid: 'x', ask: 'y' }],
  ] as const)('%s gives null', (_label, p, quote) => {
    expect(livePnl(p, quote)).toBeNull()
  })
})

describe('sumDecimalStrings', () => {
  test.each([
    ['exact sum', ['0.1', '0.2'], '0.3'],
    ['skips nulls', ['1.5', null, undefined, '-0.5'], '1'],
    ['nothing to sum', [null], null],
  ] as const)('%s', (_label, values, expected) => {
    expect(sumDecimalStrings(values)).toBe(expected)
  })
})

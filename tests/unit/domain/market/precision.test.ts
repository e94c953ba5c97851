import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import {
  checkOrderSize,
  isMultipleOf,
  priceRoundingFor,
  roundPriceToTick,
  truncateQtyToStep,
  type MarketRules,
} from '@/lib/domain/market/precision'

describe('truncateQtyToStep always goes down', () => {
  test.each([
    { label: 'step 0.001', qty: '0.123456789', step: '0.001', out: '0.123' },
    { label: 'step 1e-8, already on grid', qty: '0.12345', step: '0.00000001', out: '0.12345' },
    { label: 'step 1e-8, extra digits dropped', qty: '1.23456789999', step: '0.00000001', out: '1.23456789' },
    { label: 'step 0.5, between multiples', qty: '7.99', step: '0.5', out: '7.5' },
    { label: 'step 0.5, on grid', qty: '8', step: '0.5', out: '8' },
    { label: 'step 1, just below the next unit', qty: '2.99999999', step: '1', out: '2' },
    { label: 'less than one step', qty: '0.0009', step: '0.001', out: '0' },
    { label: 'step 0.01 on a value floats get wrong (0.29/0.01 = 28.999…)', qty: '0.29', step: '0.01', out: '0.29' },
  ])('$label: $qty → $out', ({ qty, step, out }) => {
    expect(truncateQtyToStep(dec(qty), dec(step)).toString()).toBe(out)
  })

  test.each(['0', '-0.001'])('rejects a step of %s', (step) => {
    expect(() => truncateQtyToStep(dec(1), dec(step))).toThrow(RangeError)
  })
})

describe('roundPriceToTick', () => {
  test.each([
    { label: 'tick 0.01 up', price: '60000.123', tick: '0.01', dir: 'UP', out: '60000.13' },
    { label: 'tick 0.01 down', price: '60000.129', tick: '0.01', dir: 'DOWN', out: '60000.12' },
    { label: 'tick 0.01 on grid, up', price: '60000.12', tick: '0.01', dir: 'UP', out: '60000.12' },
    { label: 'tick 0.01 on grid, down', price: '60000.12', tick: '0.01', dir: 'DOWN', out: '60000.12' },
    { label: 'tick 0.01 just above a multiple, up', price: '100.0000001', tick: '0.01', dir: 'UP', out: '100.01' },
    { label: 'tick 0.5 up', price: '100.3', tick: '0.5', dir: 'UP', out: '100.5' },
    { label: 'tick 0.5 down', price: '100.3', tick: '0.5', dir: 'DOWN', out: '100' },
    { label: 'tick 0.5 on grid', price: '100.5', tick: '0.5', dir: 'DOWN', out: '100.5' },
    { label: 'tick 1e-8 up', price: '0.123456781', tick: '0.00000001', dir: 'UP', out: '0.12345679' },
    { label: 'tick 1e-8 down', price: '0.123456789', tick: '0.00000001', dir: 'DOWN', out: '0.12345678' },
    { label: 'tick 1e-8 on grid', price: '0.00000001', tick: '0.00000001', dir: 'UP', out: '0.00000001' },
    { label: 'below one tick, up', price: '0.004', tick: '0.01', dir: 'UP', out: '0.01' },
  ] as const)('$label: $price → $out', ({ price, tick, dir, out }) => {
    expect(roundPriceToTick(dec(price), dec(tick), dir).toString()).toBe(out)
  })
})

describe('priceRoundingFor picks the side that never hurts the user', () => {
  test.each([
    { side: 'LONG', kind: 'STOP', dir: 'UP', why: 'stop below the market moves closer: smaller loss' },
    { side: 'SHORT', kind: 'STOP', dir: 'DOWN', why: 'stop above the market moves closer: smaller loss' },
    { side: 'LONG', kind: 'TAKE_PROFIT', dir: 'DOWN', why: 'target above the market fills sooner' },
    { side: 'SHORT', kind: 'TAKE_PROFIT', dir: 'UP', why: 'target below the market fills sooner' },
    { side: 'LONG', kind: 'ENTRY_LIMIT', dir: 'DOWN', why: 'never pay more than asked' },
    { side: 'SHORT', kind: 'ENTRY_LIMIT', dir: 'UP', why: 'never sell for less than asked' },
  ] as const)('$side $kind → $dir ($why)', ({ side, kind, dir }) => {
    expect(priceRoundingFor(side, kind)).toBe(dir)
  })
})

describe('isMultipleOf', () => {
  test.each([
    { label: '0.3 of 0.1 (false with floats)', x: '0.3', step: '0.1', out: true },
    { label: 'one satoshi too many', x: '0.30000001', step: '0.1', out: false },
    { label: 'whole units of 0.5', x: '1', step: '0.5', out: true },
    { label: 'quarter on a half grid', x: '1.25', step: '0.5', out: false },
    { label: '3 satoshis', x: '0.00000003', step: '0.00000001', out: true },
    { label: 'zero', x: '0', step: '0.01', out: true },
  ])('$label', ({ x, step, out }) => {
    expect(isMultipleOf(dec(x), dec(step))).toBe(out)
  })
})

describe('checkOrderSize', () => {
  const btc: MarketRules = {
    symbol: 'BTCUSDT',
    base: 'BTC',
    quote: 'USDT',
    tickSize: dec('0.01'),
    stepSize: dec('0.00001'),
    minQty: dec('0.0001'),
    minNotional: dec('5'),
  }

  test.each([
    { label: 'acceptable order', qty: '0.001', price: '60000', problems: [] },
    { label: 'exactly at both minimums', qty: '0.0001', price: '50000', problems: [] },
    {
      label: 'below minimum quantity and value',
      qty: '0.00001',
      price: '60000',
      problems: [
        'quantity 0.00001 is below the minimum 0.0001 for BTC/USDT',
        'order value 0.6 USDT (0.00001 × 60000) is below the minimum 5 USDT for BTC/USDT',
      ],
    },
    {
      label: 'below minimum value only',
      qty: '0.0001',
      price: '40000',
      problems: ['order value 4 USDT (0.0001 × 40000) is below the minimum 5 USDT for BTC/USDT'],
    },
    {
      label: 'off the step grid',
      qty: '0.000155',
      price: '60000',
      problems: ['quantity 0.000155 is not a multiple of the step size 0.00001 for BTC/USDT (0.00015 would be)'],
    },
    {
      label: 'zero quantity',
      qty: '0',
      price: '60000',
      problems: ['quantity 0 must be greater than 0 for BTC/USDT'],
    },
  ])('$label', ({ qty, price, problems }) => {
    expect(checkOrderSize(btc, dec(qty), dec(price))).toEqual(problems)
  })
})

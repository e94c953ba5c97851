import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { atr, trueRange } from '@/lib/domain/indicators/atr'
import type { Candle } from '@/lib/domain/market/candle'

const bar = (high: string, low: string, close: string, i = 0): Candle => ({
  openTime: i * 60_000,
  open: dec(close),
  high: dec(high),
  low: dec(low),
  close: dec(close),
  volume: dec(1),
})

describe('trueRange', () => {
  test.each([
    { label: 'inside bar: high - low', c: bar('11', '9', '10'), prevClose: '10', expected: '2' },
    { label: 'gap up: high - previous close', c: bar('14', '13', '13.5'), prevClose: '11.2', expected: '2.8' },
    { label: 'gap down: previous close - low', c: bar('12', '11', '11.5'), prevClose: '13.5', expected: '2.5' },
  ])('$label', ({ c, prevClose, expected }) => {
    expect(trueRange(c, dec(prevClose)).toFixed()).toBe(expected)
  })
})

// True ranges from the second bar on: 2, 2, 0.7, 2.8 (gap up), 2.5 (gap down)
const candles = [
  bar('10', '8', '9', 0),
  bar('11', '9', '10.5', 1),
  bar('12', '10', '11', 2),
  bar('11.5', '10.8', '11.2', 3),
  bar('14', '13', '13.5', 4),
  bar('12', '11', '11.5', 5),
]

describe('atr (Wilder)', () => {
  test.each([
    // seed (2+2)/2 = 2; (2·1+0.7)/2 = 1.35; (1.35+2.8)/2 = 2.075; (2.075+2.5)/2 = 2.2875
    { label: 'period 2', n: 6, period: 2, expected: ['2', '1.35', '2.075', '2.2875'] },
    // seed (2+2+0.7+2.8)/4 = 1.875; (1.875·3+2.5)/4 = 2.03125
    { label: 'period 4', n: 6, period: 4, expected: ['1.875', '2.03125'] },
    { label: 'exactly period + 1 candles give one value', n: 3, period: 2, expected: ['2'] },
    { label: 'period candles are one too few', n: 2, period: 2, expected: [] },
    { label: 'no candles', n: 0, period: 2, expected: [] },
  ])('$label', ({ n, period, expected }) => {
    expect(atr(candles.slice(0, n), period).map((v) => v.toFixed())).toEqual(expected)
  })
})

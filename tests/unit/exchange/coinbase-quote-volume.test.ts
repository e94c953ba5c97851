import { describe, expect, test } from 'vitest'
import { coinbaseQuoteVolume } from '@/lib/exchange/ccxt/volume-tickers'

describe('coinbaseQuoteVolume', () => {
  test.each([
    ['the quote volume Coinbase reports', { approximate_quote_24h_volume: '390503641.25', volume_24h: '87329.92990204', price: '4471.59' }, '390503641.25'],
    ['without it: the base volume at the last price, exactly', { volume_24h: '87329.92990204', price: '4471.59' }, '390503641.2506630436'],
    ['an empty quote volume falls back too', { approximate_quote_24h_volume: '', volume_24h: '2', price: '0.5' }, '1'],
    ['no volume at all', { price: '4471.59' }, null],
    ['a volume that is not a number', { volume_24h: 'n/a', price: '1' }, null],
    ['no product', undefined, null],
  ] as const)('%s', (_label, info, expected) => {
    expect(coinbaseQuoteVolume(info as Record<string, unknown> | undefined)?.toFixed() ?? null).toBe(expected)
  })
})

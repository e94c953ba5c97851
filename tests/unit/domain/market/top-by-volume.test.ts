import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { isLeveragedBase, topByVolume, type TopByVolumeRule, type VolumeTicker } from '@/lib/domain/market/top-by-volume'

/** 'BTC/USDT 900' → a spot ticker; a trailing '!' marks a non-spot market, '-' as volume none. */
const tk = (row: string): VolumeTicker => {
  const [symbol, vol, flag] = row.split(' ')
  const [base, quote] = symbol!.split('/')
  return { symbol: symbol!, base: base!, quote: quote!, spot: flag !== '!', quoteVolume24h: vol === '-' ? null : dec(vol!) }
}
const rule = (r: Partial<TopByVolumeRule> = {}): TopByVolumeRule => ({ n: 3, excludeStablecoins: true, excludeLeveraged: true, exclude: [], ...r })

// Volumes picked so the expected order can be read off by eye.
const MARKET = [
  'BTC/USDT 900', 'ETH/USDT 800', 'SOL/USDT 700', 'XRP/USDT 600', 'DOGE/USDT 500',
  'USDC/USDT 2000', 'FDUSD/USDT 1500', 'EUR/USDT 1000',
  'BTCUP/USDT 1200', 'ETHDOWN/USDT 1100', 'BTC3L/USDT 950', 'ETH3S/USDT 850',
  'BTC/USDC 5000', 'ETH/BTC 4000', 'ADA/USDT 3000 !',
].map(tk)

describe('topByVolume', () => {
  test.each([
    { label: 'top 3, stablecoins and leveraged tokens out, other quotes and non-spot out', r: rule(), out: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] },
    { label: 'top 1', r: rule({ n: 1 }), out: ['BTC/USDT'] },
    { label: 'N larger than the market: everything eligible', r: rule({ n: 500 }), out: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT', 'DOGE/USDT'] },
    { label: 'stablecoins kept', r: rule({ excludeStablecoins: false }), out: ['USDC/USDT', 'FDUSD/USDT', 'EUR/USDT'] },
    { label: 'leveraged tokens kept', r: rule({ excludeLeveraged: false, n: 4 }), out: ['BTCUP/USDT', 'ETHDOWN/USDT', 'BTC3L/USDT', 'BTC/USDT'] },
    { label: 'user list out, in any case', r: rule({ exclude: ['btc/usdt', 'SOL/USDT'] }), out: ['ETH/USDT', 'XRP/USDT', 'DOGE/USDT'] },
    { label: 'excluding a symbol of another quote changes nothing', r: rule({ exclude: ['BTC/USDC'] }), out: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] },
  ])('$label', ({ r, out }) => {
    expect(topByVolume(MARKET, r, 'USDT')).toEqual(out)
  })

  test('another quote currency ranks its own markets only', () => {
    expect(topByVolume(MARKET, rule(), 'USDC')).toEqual(['BTC/USDC'])
    expect(topByVolume(MARKET, rule(), 'EUR')).toEqual([])
  })

  test('equal volumes are ordered by symbol; exact decimals decide, not floats', () => {
    const t = ['ZEC/USDT 100', 'ARB/USDT 100', 'OP/USDT 100.000000000000000001', 'LTC/USDT 100.00000000000000000'].map(tk)
    // 100.000000000000000001 and 100 are the same JS number; as decimals OP is ahead.
    expect(topByVolume(t, rule({ n: 10 }), 'USDT')).toEqual(['OP/USDT', 'ARB/USDT', 'LTC/USDT', 'ZEC/USDT'])
    expect(topByVolume([...t].reverse(), rule({ n: 10 }), 'USDT')).toEqual(['OP/USDT', 'ARB/USDT', 'LTC/USDT', 'ZEC/USDT'])
  })

  test('markets without a reported volume, and duplicates, are left out', () => {
    const t = ['BTC/USDT -', 'ETH/USDT 5', 'ETH/USDT 5', 'SOL/USDT 0'].map(tk)
    expect(topByVolume(t, rule({ n: 10 }), 'USDT')).toEqual(['ETH/USDT', 'SOL/USDT'])
  })
})

describe('isLeveragedBase', () => {
  const listed = new Set(['BTC', 'ETH', 'SUSHI', '1INCH', 'SYRUP', 'JUP'])
  test.each([
    { base: 'BTCUP', out: true },
    { base: 'BTCDOWN', out: true },
    { base: 'ETHBULL', out: true },
    { base: 'ETHBEAR', out: true },
    { base: 'BTC3L', out: true },
    { base: 'ETH3S', out: true },
    { base: 'BTC10L', out: true },
    { base: '1INCHUP', out: true },
    // Real coins that merely end like one: the rest (SYR, J) is not a listed coin.
    { base: 'SYRUP', out: false },
    { base: 'JUP', out: false },
    { base: 'PUP', out: false },
    { base: 'UP', out: false },
    { base: 'BTC', out: false },
    { base: 'API3', out: false },
    { base: 'SOL3L', out: false }, // SOL is not listed here
    { base: 'SATS', out: false },
  ])('$base → $out', ({ base, out }) => {
    expect(isLeveragedBase(base, listed)).toBe(out)
  })
})

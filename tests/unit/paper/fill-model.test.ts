import { describe, expect, test } from 'vitest'
import { dec, sumDec, type Decimal } from '@/lib/domain/decimal'
import type { MarketRules } from '@/lib/domain/market/precision'
import { seededRandom } from '@/lib/domain/random'
import { FillModel, type BookLevel, type MarketSnapshot, type SimFill } from '@/lib/exchange/paper/fill-model'

const half = () => 0.5 // jitter contributes exactly 0.5 × jitterBps
const book = (...levels: [string, string][]): BookLevel[] => levels.map(([p, q]) => [dec(p), dec(q)])
const snap = (bid: string, ask: string, depth: Partial<Pick<MarketSnapshot, 'bids' | 'asks'>> = {}): MarketSnapshot => ({
  bid: dec(bid),
  ask: dec(ask),
  last: dec(bid),
  ...depth,
})
const rows = (fills: SimFill[]) => fills.map((f) => [f.qty.toString(), f.price.toString(), f.fee.toString(), f.liquidity])
const vwap = (fills: SimFill[]): Decimal => sumDec(fills.map((f) => f.qty.mul(f.price))).div(sumDec(fills.map((f) => f.qty)))

const btc: MarketRules = {
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: dec('0.01'),
  stepSize: dec('0.00001'),
  minQty: dec('0.00001'),
  minNotional: dec('5'),
}

describe('FillModel determinism', () => {
  const run = (seed: number) => {
    const model = new FillModel({}, seededRandom(seed))
    const s = snap('60000', '60000.5')
    return [
      ...model.marketFills('BUY', dec('0.3'), s, btc),
      ...model.marketFills('SELL', dec('1.7'), s, btc),
      ...model.marketFills('BUY', dec('0.01'), s),
    ].map((f) => f.price.toString())
  }

  test.each([{ seed: 1 }, { seed: 42 }, { seed: 2 ** 31 }])('seed $seed: the same seed gives the same fills', ({ seed }) => {
    expect(run(seed)).toEqual(run(seed))
  })

  test('a different seed gives different jitter', () => {
    expect(run(1)).not.toEqual(run(2))
  })
})

describe('FillModel.marketFills with depth walks the book', () => {
  test.each([
    {
      // 1 @ 100 + 1 @ 101 + 0.5 @ 102 = 252 for 2.5 → VWAP 100.8; fees 0.1% of each level
      label: 'BUY across 3 ask levels',
      side: 'BUY',
      qty: '2.5',
      depth: { asks: book(['100', '1'], ['101', '1'], ['102', '2'])},
      fills: [['1', '100', '0.1', 'TAKER'], ['1', '101', '0.101', 'TAKER'], ['0.5', '102', '0.051', 'TAKER']],
      vwap: '100.8',
    },
    {
      // 1 @ 99 + 1 @ 98 + 0.5 @ 97 = 245.5 for 2.5 → VWAP 98.2
      label: 'SELL across 3 bid levels',
      side: 'SELL',
      qty: '2.5',
      depth: { bids: book(['99', '1'], ['98', '1'], ['97', '2'])},
      fills: [['1', '99', '0.099', 'TAKER'], ['1', '98', '0.098', 'TAKER'], ['0.5', '97', '0.0485', 'TAKER']],
      vwap: '98.2',
    },
    {
      // the first level alone is enough; empty levels are skipped
      label: 'BUY inside the first non-empty level',
      side: 'BUY',
      qty: '0.4',
      depth: { asks: book(['100', '0'], ['100.5', '1']) },
      fills: [['0.4', '100.5', '0.0402', 'TAKER']],
      vwap: '100.5',
    },
    {
      // 1 @ 100 + 1 @ 101, then 1 beyond the book at 101 worsened by
      // 2 + 1 × (101 × 1 / 10000) + 1 × 0.5 = 2.5101 bps → 101 × 1.00025101 = 101.02535201 → 101.03 (tick, up)
      // VWAP (100 + 101 + 101.03) / 3 = 100.67666…7
      label: 'BUY beyond the visible depth slips past the last level',
      side: 'BUY',
      qty: '3',
      depth: { asks: book(['100', '1'], ['101', '1']) },
      fills: [['1', '100', '0.1', 'TAKER'], ['1', '101', '0.101', 'TAKER'], ['1', '101.03', '0.10103', 'TAKER']],
      vwap: '100.67' + '6'.repeat(34) + '7',
    },
  ] as const)('$label', ({ side, qty, depth, fills, vwap: expectedVwap }) => {
    const result = new FillModel({}, half).marketFills(side, dec(qty), snap('99', '100', depth), btc)
    expect(rows(result)).toEqual(fills)
    expect(vwap(result).toString()).toBe(expectedVwap)
  })
})

describe('FillModel.marketFills without depth uses the slippage model', () => {
  test.each([
    // bps = 2 + 1 × (60000 / 10000) + 0.5 = 8.5 → 60000 × (1 + 0.00085) = 60051
    { label: 'BUY 1 at the ask', side: 'BUY', qty: '1', bid: '60000', ask: '60000', rules: btc, price: '60051' },
    // 60000 × (1 − 0.00085) = 59949
    { label: 'SELL 1 at the bid', side: 'SELL', qty: '1', bid: '60000', ask: '60000', rules: btc, price: '59949' },
    // bps = 2 + 1 × (60000.37 / 10000) + 0.5 = 8.500037 → 60000.37 × (1 − 0.0008500037) = 59949.369463498631
    { label: 'SELL, unrounded without rules', side: 'SELL', qty: '1', bid: '60000.37', ask: '60000.5', rules: undefined, price: '59949.369463498631' },
    // ... rounded DOWN to the tick against the seller
    { label: 'SELL, rounded down to the tick', side: 'SELL', qty: '1', bid: '60000.37', ask: '60000.5', rules: btc, price: '59949.36' },
    // bps = 2 + 1 × (60000.37 / 10000) + 0.5 = 8.500037 → 60000.37 × (1 + 0.0008500037) … = 60051.370536501369 → up
    { label: 'BUY, rounded up to the tick', side: 'BUY', qty: '1', bid: '60000', ask: '60000.37', rules: btc, price: '60051.38' },
  ] as const)('$label', ({ side, qty, bid, ask, rules, price }) => {
    const [fill, ...rest] = new FillModel({}, half).marketFills(side, dec(qty), snap(bid, ask), rules)
    expect(rest).toEqual([])
    expect(fill.price.toString()).toBe(price)
    expect(fill.fee.toString()).toBe(fill.price.mul(qty).mul('0.001').toString())
    expect(fill.liquidity).toBe('TAKER')
  })

  test.each([
    // bps = 2 + (60000 × q / 10000) + 0.5
    { qty: '0.1', buy: '60018.6', sell: '59981.4' }, // 3.1 bps
    { qty: '1', buy: '60051', sell: '59949' }, // 8.5 bps
    { qty: '10', buy: '60375', sell: '59625' }, // 62.5 bps
  ])('slippage grows with size: $qty → buy $buy / sell $sell', ({ qty, buy, sell }) => {
    const model = new FillModel({}, half)
    const s = snap('60000', '60000')
    expect(model.marketFills('BUY', dec(qty), s)[0].price.toString()).toBe(buy)
    expect(model.marketFills('SELL', dec(qty), s)[0].price.toString()).toBe(sell)
  })

  test.each([
    // bps = 2 + 1 × (120,000,000 / 10000) + 0.5 = 12002.5, capped at 5000: half the touch, or one and a half times it
    { side: 'SELL', price: '30000' },
    { side: 'BUY', price: '90000' },
  ] as const)('an order too big for the model still fills at a positive price ($side 2000 → $price)', ({ side, price }) => {
    const [fill] = new FillModel({}, half).marketFills(side, dec(2000), snap('60000', '60000'), btc)
    expect(fill.price.toString()).toBe(price)
    expect(fill.fee.toString()).toBe(dec(price).mul(2000).mul('0.001').toString())
  })

  test('configured rates are used instead of the defaults', () => {
    // bps = 10 + 0 + 0 → 100 × 1.001 = 100.1; fee 100.1 × 2 × 0.0005 = 0.1001
    const model = new FillModel({ slippageBps: dec(10), impactBpsPer10k: dec(0), jitterBps: dec(0), takerFeeRate: dec('0.0005') }, half)
    expect(rows(model.marketFills('BUY', dec(2), snap('99', '100')))).toEqual([['2', '100.1', '0.1001', 'TAKER']])
  })

  test('a non-positive quantity is a programming error', () => {
    expect(() => new FillModel({}, half).marketFills('BUY', dec(0), snap('99', '100'))).toThrow(RangeError)
  })
})

describe('FillModel.limitFill', () => {
  test.each([
    { label: 'BUY 100, ask touches 100: queue not reached', side: 'BUY', bid: '99.9', ask: '100', fills: [] },
    { label: 'BUY 100, ask above', side: 'BUY', bid: '100.4', ask: '100.5', fills: [] },
    // 2 × 100 × 0.001 = 0.2, at the limit even though the ask is lower
    { label: 'BUY 100, ask trades through', side: 'BUY', bid: '99.9', ask: '99.99', fills: [['2', '100', '0.2', 'MAKER']] },
    { label: 'SELL 100, bid touches 100: queue not reached', side: 'SELL', bid: '100', ask: '100.1', fills: [] },
    { label: 'SELL 100, bid below', side: 'SELL', bid: '99.5', ask: '99.6', fills: [] },
    { label: 'SELL 100, bid trades through', side: 'SELL', bid: '100.01', ask: '100.1', fills: [['2', '100', '0.2', 'MAKER']] },
  ] as const)('$label', ({ side, bid, ask, fills }) => {
    const model = new FillModel({}, half)
    expect(rows(model.limitFill({ side, qty: dec(2), limitPrice: dec(100) }, snap(bid, ask)))).toEqual(fills)
  })

  test.each([
    // only 1 + 2 is offered strictly below 100; the 10 at exactly 100 does not count → 3 of 5
    {
      label: 'BUY partially fills from the better levels',
      side: 'BUY',
      qty: '5',
      s: snap('99.4', '99.5', { asks: book(['99.5', '1'], ['99.9', '2'], ['100', '10']) }),
      fills: [['3', '100', '0.3', 'MAKER']],
    },
    {
      label: 'BUY fully fills when the better levels hold enough',
      side: 'BUY',
      qty: '0.5',
      s: snap('99.4', '99.5', { asks: book(['99.5', '1'], ['99.9', '2']) }),
      fills: [['0.5', '100', '0.05', 'MAKER']],
    },
    // 0.7 + 0.2 above 100; 5 at 99.9 is worse → 0.9 of 4
    {
      label: 'SELL partially fills from the better levels',
      side: 'SELL',
      qty: '4',
      s: snap('100.5', '100.6', { bids: book(['100.5', '0.7'], ['100.01', '0.2'], ['99.9', '5']) }),
      fills: [['0.9', '100', '0.09', 'MAKER']],
    },
  ] as const)('$label', ({ side, qty, s, fills }) => {
    const model = new FillModel({ makerFeeRate: dec('0.001') }, half)
    expect(rows(model.limitFill({ side, qty: dec(qty), limitPrice: dec(100) }, s))).toEqual(fills)
  })

  test('maker fills use the maker rate', () => {
    const model = new FillModel({ makerFeeRate: dec('0.0002') }, half)
    const [fill] = model.limitFill({ side: 'BUY', qty: dec(2), limitPrice: dec(100) }, snap('99', '99.5'))
    expect(fill.fee.toString()).toBe('0.04') // 200 × 0.0002
  })
})

describe('FillModel.marketableLimitFills: a new limit that crosses the market takes what it can at once', () => {
  test.each([
    // the limit does not cross: nothing is taken, the order rests
    { label: 'BUY 100 below the ask', side: 'BUY', s: snap('100.4', '100.5'), fills: [] },
    { label: 'SELL 100 above the bid', side: 'SELL', s: snap('99.5', '99.6'), fills: [] },
    // no book: the whole quantity at the touch, as a taker (2 × 99 × 0.001 = 0.198)
    { label: 'BUY 100 with the ask at 99, no book', side: 'BUY', s: snap('98.9', '99'), fills: [['2', '99', '0.198', 'TAKER']] },
    { label: 'SELL 100 with the bid at 101, no book', side: 'SELL', s: snap('101', '101.1'), fills: [['2', '101', '0.202', 'TAKER']] },
    // at exactly the limit it crosses (an exchange matches it)
    { label: 'BUY 100 with the ask at 100', side: 'BUY', s: snap('99.9', '100'), fills: [['2', '100', '0.2', 'TAKER']] },
    // with a book: each level's price while within the limit; 100.5 is beyond it, so 1.5 of 2 is taken
    {
      label: 'BUY 100 through a book',
      side: 'BUY',
      s: snap('98.9', '99', { asks: book(['99', '1'], ['100', '0.5'], ['100.5', '10']) }),
      fills: [['1', '99', '0.099', 'TAKER'], ['0.5', '100', '0.05', 'TAKER']],
    },
    {
      label: 'SELL 100 through a book',
      side: 'SELL',
      s: snap('100.2', '100.3', { bids: book(['100.2', '3']) }),
      fills: [['2', '100.2', '0.2004', 'TAKER']],
    },
  ] as const)('$label', ({ side, s, fills }) => {
    const model = new FillModel({}, half)
    expect(rows(model.marketableLimitFills({ side, qty: dec(2), limitPrice: dec(100) }, s, btc))).toEqual(fills)
  })
})

describe('FillModel.stopTriggered', () => {
  test.each([
    { label: 'SELL stop, bid touches', side: 'SELL', bid: '100', ask: '100.1', triggered: true },
    { label: 'SELL stop, bid below', side: 'SELL', bid: '98', ask: '98.1', triggered: true },
    { label: 'SELL stop, bid just above', side: 'SELL', bid: '100.01', ask: '100.1', triggered: false },
    { label: 'BUY stop, ask touches', side: 'BUY', bid: '99.9', ask: '100', triggered: true },
    { label: 'BUY stop, ask above', side: 'BUY', bid: '101', ask: '101.1', triggered: true },
    { label: 'BUY stop, ask just below', side: 'BUY', bid: '99.9', ask: '99.99', triggered: false },
  ] as const)('$label → $triggered', ({ side, bid, ask, triggered }) => {
    const model = new FillModel({}, half)
    expect(model.stopTriggered({ side, triggerPrice: dec(100) }, snap(bid, ask))).toBe(triggered)
  })
})

describe('FillModel.fee', () => {
  test.each([
    { label: 'default taker', config: {}, liquidity: 'TAKER', notional: '60000', fee: '60' },
    { label: 'default maker', config: {}, liquidity: 'MAKER', notional: '123.45', fee: '0.12345' },
    { label: 'custom maker', config: { makerFeeRate: dec('0.0002') }, liquidity: 'MAKER', notional: '1000', fee: '0.2' },
    { label: 'custom taker', config: { takerFeeRate: dec('0.00075') }, liquidity: 'TAKER', notional: '1000', fee: '0.75' },
  ] as const)('$label', ({ config, liquidity, notional, fee }) => {
    expect(new FillModel(config, half).fee(dec(notional), liquidity).toString()).toBe(fee)
  })
})

import { describe, expect, test } from 'vitest'
import { dec, type Decimal } from '@/lib/domain/decimal'
import { gridConfigProblems, legDeviations, legWeights, planPyramid, type GridConfig } from '@/lib/domain/groups/dca-grid'
import type { MarketRules } from '@/lib/domain/market/precision'

const rules = (o: Partial<Record<'tickSize' | 'stepSize' | 'minQty' | 'minNotional', string>> = {}): MarketRules => ({
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: dec(o.tickSize ?? '0.01'),
  stepSize: dec(o.stepSize ?? '0.001'),
  minQty: dec(o.minQty ?? '0.001'),
  minNotional: dec(o.minNotional ?? '5'),
})
const decs = (...xs: string[]) => xs.map((x) => dec(x))
const strs = (xs: Decimal[]) => xs.map((x) => x.toFixed())
const grid = (o: Partial<GridConfig>): GridConfig => ({ legs: 5, sizing: 'EQUAL', legTakeProfitPct: dec(2), ...o })

describe('legDeviations: leg 0 at the entry, then cumulative gaps', () => {
  test.each([
    // gaps 1, 1×1.2 = 1.2, 1.2×1.2 = 1.44, 1.44×1.2 = 1.728 → cumulative 1, 2.2, 3.64, 5.368
    { label: 'first gap 1, step scale 1.2, 5 legs', config: grid({ firstGapPct: dec(1), stepScale: dec('1.2') }), out: ['0', '1', '2.2', '3.64', '5.368'] },
    // step scale defaults to 1: gaps 2, 2, 2
    { label: 'first gap 2, default step scale, 4 legs', config: grid({ legs: 4, firstGapPct: dec(2) }), out: ['0', '2', '4', '6'] },
    // gaps 1, 2, 4 → 1, 3, 7
    { label: 'first gap 1, step scale 2, 4 legs', config: grid({ legs: 4, firstGapPct: dec(1), stepScale: dec(2) }), out: ['0', '1', '3', '7'] },
    {
      label: 'explicit deviations override the gaps',
      config: grid({ legs: 4, deviationsPct: decs('1', '2', '3.5'), firstGapPct: dec(9) }),
      out: ['0', '1', '2', '3.5'],
    },
    { label: 'a single leg needs no gap', config: grid({ legs: 1 }), out: ['0'] },
  ])('$label → $out', ({ config, out }) => {
    expect(strs(legDeviations(config))).toEqual(out)
  })
})

describe('legWeights sum to exactly 100', () => {
  test.each([
    { label: 'EQUAL 4 legs', config: grid({ legs: 4, firstGapPct: dec(1) }), out: ['25', '25', '25', '25'] },
    // raw 1, 2, 3, 4 (sum 10) → 10, 20, 30, 40
    { label: 'PYRAMID_UP 4 legs: deeper legs larger', config: grid({ legs: 4, firstGapPct: dec(1), sizing: 'PYRAMID_UP' }), out: ['10', '20', '30', '40'] },
    { label: 'PYRAMID_DOWN 4 legs', config: grid({ legs: 4, firstGapPct: dec(1), sizing: 'PYRAMID_DOWN' }), out: ['40', '30', '20', '10'] },
    // raw [1, r, r·v, r·v²] = 1, 1, 2, 4 (sum 8) → 12.5, 12.5, 25, 50
    {
      label: 'VOLUME_SCALE v=2, r=1, 4 legs',
      config: grid({ legs: 4, firstGapPct: dec(1), sizing: 'VOLUME_SCALE', volumeScale: dec(2) }),
      out: ['12.5', '12.5', '25', '50'],
    },
    // raw 1, 3, 3×2 = 6 (sum 10) → 10, 30, 60
    {
      label: 'VOLUME_SCALE v=2, r=3, 3 legs',
      config: grid({ legs: 3, firstGapPct: dec(1), sizing: 'VOLUME_SCALE', volumeScale: dec(2), safetyRatio: dec(3) }),
      out: ['10', '30', '60'],
    },
    { label: 'CUSTOM kept as given', config: grid({ legs: 3, firstGapPct: dec(1), sizing: 'CUSTOM', weightsPct: decs('10', '20', '70') }), out: ['10', '20', '70'] },
    { label: 'one leg takes it all', config: grid({ legs: 1 }), out: ['100'] },
    // 100/3 to 40 significant digits (2 + 38 decimals); the last is 100 − 2 × that, so it ends in 4
    {
      label: 'EQUAL 3 legs: the last takes the remainder',
      config: grid({ legs: 3, firstGapPct: dec(1) }),
      out: ['33.33333333333333333333333333333333333333', '33.33333333333333333333333333333333333333', '33.33333333333333333333333333333333333334'],
    },
  ])('$label', ({ config, out }) => {
    expect(strs(legWeights(config))).toEqual(out)
  })

  test('a grid with problems is a programming error here', () => {
    expect(() => legWeights(grid({ sizing: 'CUSTOM', firstGapPct: dec(1) }))).toThrow(RangeError)
  })
})

describe('gridConfigProblems names the field to fix', () => {
  test.each([
    { label: 'legs out of range', config: grid({ legs: 21, firstGapPct: dec(1) }), field: 'legs', message: /from 1 to 20/ },
    { label: 'legs not whole', config: grid({ legs: 2.5, firstGapPct: dec(1) }), field: 'legs', message: /whole number/ },
    { label: 'no gap and no deviations', config: grid({}), field: 'firstGapPct', message: /first gap/ },
    { label: 'deviations of the wrong count', config: grid({ deviationsPct: decs('1', '2') }), field: 'deviationsPct', message: '5 legs need 4 deviations (one per DCA leg); got 2' },
    { label: 'deviations not increasing', config: grid({ legs: 4, deviationsPct: decs('1', '3', '2') }), field: 'deviationsPct', message: /2 \(leg 4\) follows 3/ },
    { label: 'a zero deviation', config: grid({ legs: 3, deviationsPct: decs('0', '2') }), field: 'deviationsPct', message: /greater than 0/ },
    { label: 'CUSTOM without weights', config: grid({ firstGapPct: dec(1), sizing: 'CUSTOM' }), field: 'weightsPct', message: 'CUSTOM sizing needs 5 weights summing to 100; got 0 summing to 0' },
    {
      label: 'CUSTOM weights short of 100',
      config: grid({ firstGapPct: dec(1), sizing: 'CUSTOM', weightsPct: decs('30', '30', '30') }),
      field: 'weightsPct',
      message: 'CUSTOM sizing needs 5 weights summing to 100; got 3 summing to 90',
    },
    {
      label: 'a CUSTOM weight of 0',
      config: grid({ legs: 3, firstGapPct: dec(1), sizing: 'CUSTOM', weightsPct: decs('50', '0', '50') }),
      field: 'weightsPct',
      message: /leg 2 has 0/,
    },
    { label: 'VOLUME_SCALE without a scale', config: grid({ firstGapPct: dec(1), sizing: 'VOLUME_SCALE' }), field: 'volumeScale', message: /volume scale/ },
  ])('$label → $field', ({ config, field, message }) => {
    const problems = gridConfigProblems(config)
    expect(problems).toHaveLength(1)
    expect(problems[0].field).toBe(field)
    expect(problems[0].message).toMatch(message)
  })
})

describe('planPyramid', () => {
  const equal5 = grid({ firstGapPct: dec(1), stepScale: dec('1.2') })

  test('LONG: legs below the entry, DCA prices rounded down to the tick, qty truncated to the step', () => {
    // capital 1000, 5 EQUAL legs → 200 each; deviations 0, 1, 2.2, 3.64, 5.368
    // prices 100, 99, 97.8, 96.36, 94.632 → 94.63 (a LONG entry limit goes down)
    // qty: 200/100 = 2; 200/99 = 2.0202… → 2.020; 200/97.8 = 2.04498… → 2.044;
    //      200/96.36 = 2.07555… → 2.075; 200/94.63 = 2.11349… → 2.113
    // notional: 200; 99×2.02 = 199.98; 97.8×2.044 = 199.9032; 96.36×2.075 = 199.947; 94.63×2.113 = 199.95319
    // total: 200 + 199.98 + 199.9032 + 199.947 + 199.95319 = 999.78339
    const plan = planPyramid({ side: 'LONG', entryPrice: dec(100), capitalQuote: dec(1000), config: equal5, rules: rules() })
    if (!plan.ok) throw new Error(JSON.stringify(plan.problems))
    expect(plan.legs.map((l) => [l.index, l.deviationPct.toFixed(), l.weightPct.toFixed(), l.price.toFixed(), l.qty.toFixed(), l.notional.toFixed()])).toEqual([
      [0, '0', '20', '100', '2', '200'],
      [1, '1', '20', '99', '2.02', '199.98'],
      [2, '2.2', '20', '97.8', '2.044', '199.9032'],
      [3, '3.64', '20', '96.36', '2.075', '199.947'],
      [4, '5.368', '20', '94.63', '2.113', '199.95319'],
    ])
    expect(plan.totalNotional.toFixed()).toBe('999.78339')
  })

  test('SHORT mirrored: legs above the entry, DCA prices rounded up to the tick', () => {
    // prices 101, 102.2, 103.64, 105.368 → 105.37 (a SHORT entry limit goes up)
    // qty: 200/101 = 1.98019… → 1.98; 200/102.2 = 1.95694… → 1.956; 200/103.64 = 1.92975… → 1.929; 200/105.37 = 1.89807… → 1.898
    const plan = planPyramid({ side: 'SHORT', entryPrice: dec(100), capitalQuote: dec(1000), config: equal5, rules: rules() })
    if (!plan.ok) throw new Error(JSON.stringify(plan.problems))
    expect(plan.legs.map((l) => [l.price.toFixed(), l.qty.toFixed()])).toEqual([
      ['100', '2'],
      ['101', '1.98'],
      ['102.2', '1.956'],
      ['103.64', '1.929'],
      ['105.37', '1.898'],
    ])
  })

  test('the base leg stays at the entry price, off the tick grid (it is the market reference)', () => {
    const plan = planPyramid({ side: 'LONG', entryPrice: dec('100.005'), capitalQuote: dec(1000), config: grid({ legs: 1 }), rules: rules() })
    if (!plan.ok) throw new Error(JSON.stringify(plan.problems))
    // 1000/100.005 = 9.99950… → 9.999
    expect(plan.legs.map((l) => [l.price.toFixed(), l.qty.toFixed()])).toEqual([['100.005', '9.999']])
  })

  // PYRAMID_DOWN 4 legs, gap 1: prices 100, 99, 98, 97; weights 40, 30, 20, 10; capital 60 → shares 24, 18, 12, 6.
  // Leg 4: 6/97 = 0.06185… → 0.061; 0.061 × 97 = 5.917 < 10. It needs 10/97 = 0.10309… → 0.104 (step up),
  // so a capital of 0.104 × 97 / 10% = 100.88. Leg 3: 12/98 = 0.1224… → 0.122; 0.122 × 98 = 11.956 ≥ 10.
  const down4 = grid({ legs: 4, firstGapPct: dec(1), sizing: 'PYRAMID_DOWN' })
  test('a leg under the minimum notional is named, with the capital that would fix it', () => {
    const plan = planPyramid({ side: 'LONG', entryPrice: dec(100), capitalQuote: dec(60), config: down4, rules: rules({ minNotional: '10' }) })
    expect(plan).toEqual({
      ok: false,
      problems: [
        {
          field: 'legs.3',
          message:
            'leg 4 (−3%): order value 5.917 USDT (0.061 × 97) is below the minimum 10 USDT for BTC/USDT; a pyramid capital of at least 100.88 USDT would make it large enough',
        },
      ],
    })
  })

  test('the suggested capital is enough', () => {
    // leg 4: 10.088 / 97 = 0.104 exactly
    const plan = planPyramid({ side: 'LONG', entryPrice: dec(100), capitalQuote: dec('100.88'), config: down4, rules: rules({ minNotional: '10' }) })
    if (!plan.ok) throw new Error(JSON.stringify(plan.problems))
    expect(plan.legs[3].qty.toFixed()).toBe('0.104')
  })

  test('legs whose quantity rounds to zero are each named', () => {
    // step 1: 2 EQUAL legs of 75 buy 0.75 at 100 and 0.7575… at 99 → 0 each.
    // One unit at 100 is 50% of 200; at 99, 50% of 198.
    const plan = planPyramid({
      side: 'LONG',
      entryPrice: dec(100),
      capitalQuote: dec(150),
      config: grid({ legs: 2, firstGapPct: dec(1) }),
      rules: rules({ stepSize: '1', minQty: '1', minNotional: '10' }),
    })
    expect(plan.ok).toBe(false)
    if (plan.ok) return
    expect(plan.problems.map((p) => p.field)).toEqual(['legs.0', 'legs.1'])
    expect(plan.problems[0].message).toBe(
      'leg 1 (entry): its share of the capital, 75 USDT, buys less than one step (1 BTC) at 100; a pyramid capital of at least 200 USDT would make it large enough',
    )
    expect(plan.problems[1].message).toMatch(/^leg 2 \(−1%\): .*at least 198 USDT/)
  })

  test('a LONG leg 100% below the entry is refused; the same grid works for a SHORT', () => {
    const config = grid({ legs: 3, deviationsPct: decs('50', '100') })
    const long = planPyramid({ side: 'LONG', entryPrice: dec(100), capitalQuote: dec(1000), config, rules: rules() })
    expect(long.ok).toBe(false)
    if (!long.ok) {
      expect(long.problems.map((p) => p.field)).toEqual(['legs.2'])
      expect(long.problems[0].message).toMatch(/^leg 3 \(−100%\): a LONG leg 100% or more below/)
    }
    // SHORT: 150 and 200
    const short = planPyramid({ side: 'SHORT', entryPrice: dec(100), capitalQuote: dec(1000), config, rules: rules() })
    expect(short.ok && short.legs.map((l) => l.price.toFixed())).toEqual(['100', '150', '200'])
  })

  test('grid, entry and capital problems come back together, not thrown', () => {
    const plan = planPyramid({ side: 'LONG', entryPrice: dec(0), capitalQuote: dec(-1), config: grid({ sizing: 'CUSTOM', firstGapPct: dec(1) }), rules: rules() })
    expect(plan.ok === false && plan.problems.map((p) => p.field)).toEqual(['weightsPct', 'entryPrice', 'capitalQuote'])
  })
})

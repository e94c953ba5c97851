import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import type { TradeDecision } from '@/lib/domain/decisions/trade-decision'
import { atr } from '@/lib/domain/indicators/atr'
import { ema } from '@/lib/domain/indicators/ema'
import type { Candle } from '@/lib/domain/market/candle'
import {
  decideByRules,
  DEFAULT_RULES_STRATEGY_PARAMS,
  requiredCandles,
  type RulesStrategyInput,
} from '@/lib/domain/strategy/rules-strategy'

/**
 * A straight-line market: close_i = 60000 + step·i, high/low = close ± range. With range >= |step|
 * every true range is 2·range, so ATR14 = 2·range; an EMA seeded with the simple average stays
 * exactly step·(period − 1)/2 behind a straight line, so EMA9 = close − 4·step and
 * EMA21 = close − 10·step: spread 6·step, strength 6·step / (2·range) = 3·step / range.
 */
function line(n: number, step: number, range: number): Candle[] {
  return Array.from({ length: n }, (_, i) => {
    const close = dec(60000).plus(step * i)
    return { openTime: i * 60_000, open: close.minus(step), high: close.plus(range), low: close.minus(range), close, volume: dec(1) }
  })
}

function input(candles: Candle[], over: Partial<RulesStrategyInput> = {}): RulesStrategyInput {
  const last = candles.at(-1)?.close ?? dec(60000)
  return {
    symbol: 'BTC/USDT',
    candles,
    bid: last.minus(1),
    ask: last.plus(1),
    tickSize: dec('0.01'),
    position: null,
    canShort: true,
    ...over,
  }
}

const LONG_POS = { side: 'LONG' as const, avgEntryPrice: dec(60000), stopLoss: dec(59000) }
const SHORT_POS = { side: 'SHORT' as const, avgEntryPrice: dec(60000), stopLoss: null }

function summary(d: TradeDecision) {
  return {
    action: d.action,
    confidence: d.confidence.toFixed(),
    stopLoss: d.stopLoss?.toFixed(),
    takeProfits: d.takeProfits?.map((tp) => `${tp.price.toFixed()}@${tp.sharePct.toFixed()}%`),
  }
}

describe('decideByRules: entries', () => {
  test.each<{ label: string; in: RulesStrategyInput; expected: ReturnType<typeof summary> }>([
    {
      // EMA9 60250, EMA21 60190, ATR 40, strength 1.5: confidence 0.5 + 0.2·1.25 = 0.75
      // ask 60291, stop 60291 − 80 = 60211, targets +120 / +240
      label: 'uptrend → LONG with a 2 ATR stop and 1.5R / 3R targets',
      in: input(line(30, 10, 20)),
      expected: { action: 'LONG', confidence: '0.75', stopLoss: '60211', takeProfits: ['60411@50%', '60531@50%'] },
    },
    {
      label: 'downtrend → SHORT, mirrored from the bid',
      in: input(line(30, -10, 20)),
      expected: { action: 'SHORT', confidence: '0.75', stopLoss: '59789', takeProfits: ['59589@50%', '59469@50%'] },
    },
    {
      label: 'downtrend without shorting → NO_TRADE',
      in: input(line(30, -10, 20), { canShort: false }),
      expected: { action: 'NO_TRADE', confidence: '0.5', stopLoss: undefined, takeProfits: undefined },
    },
    {
      // strength 3: 0.5 + 0.2·2.75 = 1.05, capped
      label: 'very strong trend caps confidence at 0.95',
      in: input(line(30, 10, 10)),
      expected: { action: 'LONG', confidence: '0.95', stopLoss: '60251', takeProfits: ['60351@50%', '60411@50%'] },
    },
    {
      // strength 3·1/20 = 0.15 < 0.25
      label: 'weak trend → NO_TRADE',
      in: input(line(30, 1, 20)),
      expected: { action: 'NO_TRADE', confidence: '0.5', stopLoss: undefined, takeProfits: undefined },
    },
    {
      // spread 12, ATR 48: exactly 0.25 ATR, which is not more than it
      label: 'trend exactly at the minimum strength → NO_TRADE',
      in: input(line(30, 2, 24)),
      expected: { action: 'NO_TRADE', confidence: '0.5', stopLoss: undefined, takeProfits: undefined },
    },
    {
      label: 'flat market → NO_TRADE',
      in: input(line(30, 0, 20)),
      expected: { action: 'NO_TRADE', confidence: '0.5', stopLoss: undefined, takeProfits: undefined },
    },
    {
      label: 'one target from params takes 100%',
      in: input(line(30, 10, 20), { params: { rewardRisk: [2] } }),
      expected: { action: 'LONG', confidence: '0.75', stopLoss: '60211', takeProfits: ['60451@100%'] },
    },
    {
      label: 'three targets split 33.33 / 33.33 / 33.34',
      in: input(line(30, 10, 20), { params: { rewardRisk: [1, 2, 3] } }),
      expected: { action: 'LONG', confidence: '0.75', stopLoss: '60211', takeProfits: ['60371@33.33%', '60451@33.33%', '60531@33.34%'] },
    },
    {
      // stop 60211 rounds up to 60300 on a 100 tick: above the entry, no usable stop
      label: 'ATR too small for the tick → NO_TRADE',
      in: input(line(30, 10, 20), { tickSize: dec(100) }),
      expected: { action: 'NO_TRADE', confidence: '0.5', stopLoss: undefined, takeProfits: undefined },
    },
  ])('$label', ({ in: i, expected }) => {
    expect(summary(decideByRules(i))).toEqual(expected)
  })

  test('the boundary row really is exactly 0.25 ATR', () => {
    const candles = line(30, 2, 24)
    const closes = candles.map((c) => c.close)
    const spread = ema(closes, 9).at(-1)!.minus(ema(closes, 21).at(-1)!)
    expect([spread.toFixed(), atr(candles, 14).at(-1)!.toFixed()]).toEqual(['12', '48'])
  })

  test('an uptrend whose last close falls back under the fast EMA → NO_TRADE', () => {
    const candles = line(30, 10, 20)
    const last = candles[29]
    // EMA9 = 60240 + 0.2·(60230 − 60240) = 60238, still 53 above EMA21; the close is under EMA9
    candles[29] = { ...last, close: dec(60230), low: dec(60200) }
    const d = decideByRules(input(candles))
    expect(d.action).toBe('NO_TRADE')
    expect(d.reasoning).toContain('EMA9 60238.00 is above EMA21 60184.55')
    expect(d.reasoning).toContain('close 60230.00')
  })

  test('reasoning states the EMAs, ATR, close, stop and confidence formula', () => {
    expect(decideByRules(input(line(30, 10, 20))).reasoning).toBe(
      'BTC/USDT: EMA9 60250.00 is above EMA21 60190.00 (spread 60.00 = 1.50 ATR, ATR14 40.00), close 60290.00. ' +
        'Uptrend: LONG at market (ask 60291), stop 60211 (2 ATR, 1R = 80), targets 60411 (1.5R), 60531 (3R). ' +
        'Confidence 0.75 = clamp(0.5 + 0.2 × (1.50 − 0.25), 0.5, 0.95).',
    )
  })

  test('entries are market orders with no size of their own', () => {
    const d = decideByRules(input(line(30, 10, 20)))
    expect([d.entryType, d.entryPrice, d.sizeQuote]).toEqual(['MARKET', undefined, undefined])
  })
})

describe('decideByRules: open positions', () => {
  test.each<{ label: string; in: RulesStrategyInput; action: string; confidence: string }>([
    // strength 3·2/20 = 0.3 against the LONG: 0.7 + 0.2·0.3 = 0.76
    { label: 'LONG in a downtrend → CLOSE', in: input(line(30, -2, 20), { position: LONG_POS }), action: 'CLOSE', confidence: '0.76' },
    { label: 'SHORT in an uptrend → CLOSE', in: input(line(30, 2, 20), { position: SHORT_POS }), action: 'CLOSE', confidence: '0.76' },
    // strength 1.5: 0.7 + 0.3 = 1.0, capped
    { label: 'strong reversal caps at 0.95', in: input(line(30, -10, 20), { position: LONG_POS }), action: 'CLOSE', confidence: '0.95' },
    { label: 'LONG in an uptrend → hold', in: input(line(30, 10, 20), { position: LONG_POS }), action: 'NO_TRADE', confidence: '0.5' },
    { label: 'SHORT in a downtrend → hold', in: input(line(30, -10, 20), { position: SHORT_POS }), action: 'NO_TRADE', confidence: '0.5' },
    { label: 'LONG in a flat market → hold', in: input(line(30, 0, 20), { position: LONG_POS }), action: 'NO_TRADE', confidence: '0.5' },
    { label: 'SHORT held even where shorting is not offered', in: input(line(30, -10, 20), { position: SHORT_POS, canShort: false }), action: 'NO_TRADE', confidence: '0.5' },
  ])('$label', ({ in: i, action, confidence }) => {
    const d = decideByRules(i)
    expect({ action: d.action, confidence: d.confidence.toFixed(), stopLoss: d.stopLoss, modifications: d.modifications }).toEqual({
      action,
      confidence,
      stopLoss: undefined,
      modifications: undefined,
    })
  })

  test('a CLOSE explains the reversal with the numbers', () => {
    expect(decideByRules(input(line(30, -2, 20), { position: LONG_POS })).reasoning).toBe(
      'BTC/USDT: EMA9 59950.00 is below EMA21 59962.00 (spread 12.00 = 0.30 ATR, ATR14 40.00), close 59942.00. ' +
        'The trend turned against the LONG: close it. Confidence 0.76 = min(0.7 + 0.2 × 0.30, 0.95).',
    )
  })
})

describe('decideByRules: warm-up', () => {
  const need = requiredCandles(DEFAULT_RULES_STRATEGY_PARAMS)

  test.each([
    { label: 'no candles', n: 0, action: 'WATCH' },
    { label: 'one short of the slow EMA', n: need - 1, action: 'WATCH' },
    { label: 'exactly enough', n: need, action: 'LONG' },
  ])('$label ($n candles) → $action', ({ n, action }) => {
    expect(decideByRules(input(line(n, 10, 20))).action).toBe(action)
  })

  test('WATCH says how many candles are needed', () => {
    const d = decideByRules(input(line(20, 10, 20)))
    expect({ confidence: d.confidence.toFixed(), reasoning: d.reasoning }).toEqual({
      confidence: '0',
      reasoning: 'BTC/USDT: only 20 candles, need at least 21 (EMA21 and ATR14) to judge the trend.',
    })
  })

  test.each([
    { label: 'defaults: the slow EMA', params: {}, need: 21 },
    { label: 'a long ATR', params: { atrPeriod: 30 }, need: 31 },
    { label: 'a long slow EMA', params: { slowPeriod: 50 }, need: 50 },
  ])('$label needs $need candles', ({ params, need }) => {
    expect(requiredCandles({ ...DEFAULT_RULES_STRATEGY_PARAMS, ...params })).toBe(need)
    expect(decideByRules(input(line(need - 1, 10, 20), { params })).action).toBe('WATCH')
  })
})

test('the same input gives the same decision', () => {
  const i = input(line(40, 7, 15))
  const plain = (d: TradeDecision) => JSON.parse(JSON.stringify(d)) as Record<string, unknown>
  const first = decideByRules(i)
  expect(first.action).toBe('LONG')
  expect(plain(decideByRules(i))).toEqual(plain(first))
})

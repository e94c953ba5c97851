import { describe, expect, test } from 'vitest'
import { dec, type Decimal } from '@/lib/domain/decimal'
import type { OpenPositionState } from '@/lib/domain/decisions/decision-context'
import type { Modification, TradeDecision } from '@/lib/domain/decisions/trade-decision'
import { validateDecision, type DecisionValidation } from '@/lib/domain/decisions/validate-decision'
import type { MarketRules } from '@/lib/domain/market/precision'
import type { DecisionSettings } from '@/lib/domain/decisions/decision-settings'
import { RULES, SETTINGS } from './decision-fixtures'

// Market: bid 63980 / ask 64000, so a MARKET LONG is measured from 64000, a SHORT from 63980, the mid is 63990.
const OPEN_LONG: OpenPositionState = {
  side: 'LONG',
  openQty: dec('0.01'),
  avgEntryPrice: dec('60000'),
  stopLoss: dec('61000'),
  takeProfits: [{ price: dec('66000'), sharePct: dec('50') }],
  filledSharePct: dec('0'),
  modificationsLastHour: 0,
  ruleStopFloor: null,
}
const OPEN_SHORT: OpenPositionState = { ...OPEN_LONG, side: 'SHORT', avgEntryPrice: dec('66000'), stopLoss: dec('67000'), takeProfits: [] }

const tp = (price: string, sharePct: string) => ({ price: dec(price), sharePct: dec(sharePct) })
/** A value a sloppy parser could let through where a Decimal is typed. */
const missing = undefined as unknown as Decimal

interface Case {
  label: string
  decision?: Partial<TradeDecision>
  position?: OpenPositionState | null
  entryQty?: string | null
  rules?: Partial<MarketRules>
  settings?: Partial<DecisionSettings>
  bid?: string
  ask?: string
  watchlist?: string[]
}

/** A valid MARKET LONG: stop 62000 (3.125 %), one target at 66000 (reward/risk exactly 1), 0.01 BTC. */
function run(c: Case): DecisionValidation {
  const decision: TradeDecision = {
    symbol: 'BTC/USDT',
    action: 'LONG',
    confidence: dec('0.8'),
    reasoning: 'test',
    stopLoss: dec('62000'),
    takeProfits: [tp('66000', '50')],
    ...c.decision,
  }
  return validateDecision({
    decision,
    watchlist: c.watchlist ?? ['BTC/USDT', 'ETH/USDT'],
    market: { bid: dec(c.bid ?? '63980'), ask: dec(c.ask ?? '64000'), rules: { ...RULES, ...c.rules } },
    position: c.position === undefined ? null : c.position,
    settings: { ...SETTINGS, ...c.settings },
    entryQty: c.entryQty === undefined ? dec('0.01') : c.entryQty === null ? null : dec(c.entryQty),
  })
}

type Expect = 'pass' | 'fail' | 'absent'

interface RuleCase extends Case {
  /** The constraint under test. */
  rule: string
  expect: Expect
  /** Other constraints this row is known to fail as well. */
  alsoFailed?: string[]
}

function statusOf(result: DecisionValidation, name: string): Expect {
  const found = result.constraints.filter((c) => c.name === name)
  if (found.length === 0) return 'absent'
  return found.every((c) => c.satisfied) ? 'pass' : 'fail'
}

function failedNames(result: DecisionValidation): string[] {
  return [...new Set(result.constraints.filter((c) => !c.satisfied).map((c) => c.name))].sort()
}

function expectRule(row: RuleCase): DecisionValidation {
  const result = run(row)
  expect(statusOf(result, row.rule)).toBe(row.expect)
  const failed = [...(row.expect === 'fail' ? [row.rule] : []), ...(row.alsoFailed ?? [])].sort()
  expect(failedNames(result)).toEqual(failed)
  expect(result.isValid).toBe(failed.length === 0)
  expect(result.errors).toHaveLength(result.constraints.filter((c) => !c.satisfied).length)
  return result
}

const LONG_MODS: Modification[] = [{ type: 'MOVE_SL', price: dec('62000') }]

describe('symbol, action and confidence', () => {
  test.each<RuleCase>([
    { label: 'symbol on the watchlist', rule: 'symbol on watchlist', expect: 'pass' },
    { label: 'symbol not on the watchlist', decision: { symbol: 'DOGE/USDT' }, rule: 'symbol on watchlist', expect: 'fail' },
    { label: 'symbol in another notation', decision: { symbol: 'BTCUSDT' }, rule: 'symbol on watchlist', expect: 'fail' },
    { label: 'empty watchlist', watchlist: [], rule: 'symbol on watchlist', expect: 'fail' },
    { label: 'NO_TRADE off the watchlist', decision: { action: 'NO_TRADE', symbol: 'DOGE/USDT' }, rule: 'symbol on watchlist', expect: 'fail' },
    { label: 'known action', rule: 'valid action', expect: 'pass' },
    { label: 'unknown action', decision: { action: 'BUY' as TradeDecision['action'] }, rule: 'valid action', expect: 'fail' },
    { label: 'confidence 1 is in range', decision: { confidence: dec('1') }, rule: 'confidence range', expect: 'pass' },
    { label: 'confidence 0 is in range (NO_TRADE)', decision: { action: 'NO_TRADE', confidence: dec('0') }, rule: 'confidence range', expect: 'pass' },
    { label: 'confidence above 1', decision: { confidence: dec('1.01') }, rule: 'confidence range', expect: 'fail' },
    { label: 'confidence below 0 (NO_TRADE)', decision: { action: 'NO_TRADE', confidence: dec('-0.01') }, rule: 'confidence range', expect: 'fail' },
    { label: 'confidence NaN', decision: { confidence: dec('NaN') }, rule: 'confidence range', expect: 'fail' },
    { label: 'confidence missing', decision: { confidence: missing }, rule: 'confidence range', expect: 'fail' },
    { label: 'LONG exactly at the minimum', decision: { confidence: dec('0.6') }, rule: 'min confidence', expect: 'pass' },
    { label: 'LONG just below the minimum', decision: { confidence: dec('0.59') }, rule: 'min confidence', expect: 'fail' },
    {
      label: 'SHORT below the minimum',
      decision: { action: 'SHORT', confidence: dec('0.5'), stopLoss: dec('65000'), takeProfits: [] },
      rule: 'min confidence',
      expect: 'fail',
    },
    { label: 'CLOSE at the minimum', decision: { action: 'CLOSE', confidence: dec('0.6') }, position: OPEN_LONG, rule: 'min confidence', expect: 'pass' },
    { label: 'CLOSE below the minimum', decision: { action: 'CLOSE', confidence: dec('0.59') }, position: OPEN_LONG, rule: 'min confidence', expect: 'fail' },
    {
      label: 'PARTIAL_TP below the minimum',
      decision: { action: 'PARTIAL_TP', confidence: dec('0.59'), exitSharePct: dec('50') },
      position: OPEN_LONG,
      rule: 'min confidence',
      expect: 'fail',
    },
    {
      label: 'modifications with WATCH at the minimum',
      decision: { action: 'WATCH', confidence: dec('0.6'), modifications: LONG_MODS },
      position: OPEN_LONG,
      rule: 'min confidence',
      expect: 'pass',
    },
    {
      label: 'modifications with NO_TRADE below the minimum',
      decision: { action: 'NO_TRADE', confidence: dec('0.59'), modifications: LONG_MODS },
      position: OPEN_LONG,
      rule: 'min confidence',
      expect: 'fail',
    },
    { label: 'NO_TRADE needs no minimum', decision: { action: 'NO_TRADE', confidence: dec('0.1') }, rule: 'min confidence', expect: 'absent' },
    { label: 'WATCH needs no minimum', decision: { action: 'WATCH', confidence: dec('0.1') }, rule: 'min confidence', expect: 'absent' },
  ])('$label', (row) => {
    expectRule(row)
  })
})

describe('NO_TRADE and WATCH execute nothing', () => {
  test.each<Case & { valid: boolean }>([
    { label: 'NO_TRADE', decision: { action: 'NO_TRADE', stopLoss: undefined, takeProfits: undefined }, valid: true },
    { label: 'WATCH', decision: { action: 'WATCH' }, valid: true },
    { label: 'NO_TRADE with an open position', decision: { action: 'NO_TRADE' }, position: OPEN_LONG, valid: true },
    { label: 'WATCH ignores broken market data', decision: { action: 'WATCH' }, bid: '0', valid: true },
    { label: 'NO_TRADE with an empty modification list', decision: { action: 'NO_TRADE', modifications: [] }, valid: true },
    { label: 'WATCH off the watchlist', decision: { action: 'WATCH', symbol: 'DOGE/USDT' }, valid: false },
  ])('$label', (row) => {
    const result = run(row)
    expect(result.isValid).toBe(row.valid)
    expect(result.normalized).toBeUndefined()
  })
})

describe('entries (LONG/SHORT)', () => {
  test.each<RuleCase>([
    // The position gate and shorting
    { label: 'LONG with no position open', rule: 'no open position', expect: 'pass' },
    { label: 'LONG while a position is open', position: OPEN_LONG, rule: 'no open position', expect: 'fail' },
    {
      label: 'SHORT while shorting is enabled',
      decision: { action: 'SHORT', stopLoss: dec('65000'), takeProfits: [tp('62000', '50')] },
      rule: 'shorting allowed',
      expect: 'pass',
    },
    {
      label: 'SHORT while shorting is disabled',
      decision: { action: 'SHORT', stopLoss: dec('65000'), takeProfits: [tp('62000', '50')] },
      settings: { canShort: false },
      rule: 'shorting allowed',
      expect: 'fail',
    },
    { label: 'LONG is not subject to the short switch', settings: { canShort: false }, rule: 'shorting allowed', expect: 'absent' },

    // Entry type and limit price (mid 63990; 2 % is 1279.8)
    { label: 'MARKET by default', rule: 'entry type', expect: 'pass' },
    { label: 'an unknown entry type', decision: { entryType: 'STOP' as 'LIMIT' }, rule: 'entry type', expect: 'fail' },
    { label: 'LIMIT with a price', decision: { entryType: 'LIMIT', entryPrice: dec('63500') }, rule: 'limit price', expect: 'pass' },
    { label: 'LIMIT without a price', decision: { entryType: 'LIMIT' }, rule: 'limit price', expect: 'fail' },
    { label: 'LIMIT with a zero price', decision: { entryType: 'LIMIT', entryPrice: dec('0') }, rule: 'limit price', expect: 'fail' },
    {
      label: 'LIMIT exactly 2 % below mid',
      decision: { entryType: 'LIMIT', entryPrice: dec('62710.2'), stopLoss: dec('60000'), takeProfits: [] },
      rule: 'max entry deviation',
      expect: 'pass',
    },
    {
      label: 'LIMIT just over 2 % below mid',
      decision: { entryType: 'LIMIT', entryPrice: dec('62710.19'), stopLoss: dec('60000'), takeProfits: [] },
      rule: 'max entry deviation',
      expect: 'fail',
    },
    {
      label: 'LIMIT exactly 2 % above mid',
      decision: { entryType: 'LIMIT', entryPrice: dec('65269.8'), stopLoss: dec('63000'), takeProfits: [] },
      rule: 'max entry deviation',
      expect: 'pass',
    },
    {
      label: 'LIMIT just over 2 % above mid',
      decision: { entryType: 'LIMIT', entryPrice: dec('65269.81') },
      rule: 'max entry deviation',
      expect: 'fail',
    },
    {
      label: 'LIMIT that only reaches 2 % after rounding down to the tick (LONG)',
      decision: { entryType: 'LIMIT', entryPrice: dec('65269.809'), stopLoss: dec('63000'), takeProfits: [] },
      rule: 'max entry deviation',
      expect: 'pass',
    },

    // A limit past the market (LONG at or above the ask 64000, SHORT at or below the bid 63980)
    // fills at the market: its stop is judged from there, not from the limit.
    {
      label: 'LONG LIMIT above the ask with a stop between the ask and the limit',
      decision: { entryType: 'LIMIT', entryPrice: dec('65000'), stopLoss: dec('64500'), takeProfits: [] },
      rule: 'stop loss side',
      expect: 'fail',
    },
    {
      label: 'LONG LIMIT above the ask with a stop below the ask',
      decision: { entryType: 'LIMIT', entryPrice: dec('65000'), stopLoss: dec('63000'), takeProfits: [] },
      rule: 'stop loss side',
      expect: 'pass',
    },
    {
      label: 'SHORT LIMIT below the bid with a stop between the limit and the bid',
      decision: { action: 'SHORT', entryType: 'LIMIT', entryPrice: dec('63000'), stopLoss: dec('63500'), takeProfits: [] },
      rule: 'stop loss side',
      expect: 'fail',
    },

    // Stop loss (MARKET LONG reference 64000: 5 % is 60800; SHORT reference 63980: 5 % is 67179)
    { label: 'stop loss given', rule: 'stop loss value', expect: 'pass' },
    { label: 'stop loss missing', decision: { stopLoss: undefined }, rule: 'stop loss value', expect: 'fail' },
    { label: 'stop loss negative', decision: { stopLoss: dec('-1') }, rule: 'stop loss value', expect: 'fail' },
    { label: 'LONG stop one tick below the reference', decision: { stopLoss: dec('63999.99'), takeProfits: [] }, rule: 'stop loss side', expect: 'pass' },
    { label: 'LONG stop at the reference', decision: { stopLoss: dec('64000') }, rule: 'stop loss side', expect: 'fail' },
    { label: 'LONG stop above the reference', decision: { stopLoss: dec('65000') }, rule: 'stop loss side', expect: 'fail' },
    {
      label: 'SHORT stop below the reference',
      decision: { action: 'SHORT', stopLoss: dec('63000'), takeProfits: [] },
      rule: 'stop loss side',
      expect: 'fail',
    },
    { label: 'LONG stop exactly 5 % away', decision: { stopLoss: dec('60800'), takeProfits: [] }, rule: 'max stop distance', expect: 'pass' },
    { label: 'LONG stop one tick past 5 %', decision: { stopLoss: dec('60799.99'), takeProfits: [] }, rule: 'max stop distance', expect: 'fail' },
    {
      label: 'LONG stop past 5 % until rounded up to the tick',
      decision: { stopLoss: dec('60799.991'), takeProfits: [] },
      rule: 'max stop distance',
      expect: 'pass',
    },
    {
      label: 'SHORT stop exactly 5 % away',
      decision: { action: 'SHORT', stopLoss: dec('67179'), takeProfits: [] },
      rule: 'max stop distance',
      expect: 'pass',
    },
    {
      label: 'SHORT stop one tick past 5 %',
      decision: { action: 'SHORT', stopLoss: dec('67179.01'), takeProfits: [] },
      rule: 'max stop distance',
      expect: 'fail',
    },
    {
      label: 'SHORT stop past 5 % until rounded down to the tick',
      decision: { action: 'SHORT', stopLoss: dec('67179.009'), takeProfits: [] },
      rule: 'max stop distance',
      expect: 'pass',
    },
    {
      label: 'LIMIT stop measured from the limit price (exactly 5 % below 63000)',
      decision: { entryType: 'LIMIT', entryPrice: dec('63000'), stopLoss: dec('59850'), takeProfits: [] },
      rule: 'max stop distance',
      expect: 'pass',
    },
    {
      label: 'LIMIT stop measured from the limit price (past 5 % below 63000)',
      decision: { entryType: 'LIMIT', entryPrice: dec('63000'), stopLoss: dec('59849.99'), takeProfits: [] },
      rule: 'max stop distance',
      expect: 'fail',
    },

    // Take-profits (LONG reference 64000: fee cover 0.4 % is 64256, 20 % is 76800; SHORT 63980: 63724.08)
    { label: 'no take-profits at all', decision: { takeProfits: undefined }, rule: 'take profit side', expect: 'absent' },
    { label: 'LONG target above the reference', rule: 'take profit side', expect: 'pass' },
    { label: 'LONG target at the reference', decision: { takeProfits: [tp('64000', '50')] }, rule: 'take profit side', expect: 'fail' },
    { label: 'LONG target below the reference', decision: { takeProfits: [tp('63000', '50')] }, rule: 'take profit side', expect: 'fail' },
    {
      label: 'SHORT target above the reference',
      decision: { action: 'SHORT', stopLoss: dec('65000'), takeProfits: [tp('64000', '50')] },
      rule: 'take profit side',
      expect: 'fail',
    },
    { label: 'target price zero', decision: { takeProfits: [tp('0', '50')] }, rule: 'take profit price', expect: 'fail' },
    { label: 'LONG target exactly at the fee cover', decision: { takeProfits: [tp('64256', '50')] }, rule: 'min target distance', expect: 'pass' },
    { label: 'LONG target one tick short of the fee cover', decision: { takeProfits: [tp('64255.99', '50')] }, rule: 'min target distance', expect: 'fail' },
    {
      label: 'LONG target rounded down (toward the market) below the fee cover',
      decision: { takeProfits: [tp('64255.999', '50')] },
      rule: 'min target distance',
      expect: 'fail',
    },
    {
      label: 'SHORT target exactly at the fee cover',
      decision: { action: 'SHORT', stopLoss: dec('65000'), takeProfits: [tp('63724.08', '50')] },
      rule: 'min target distance',
      expect: 'pass',
    },
    {
      label: 'SHORT target one tick short of the fee cover',
      decision: { action: 'SHORT', stopLoss: dec('65000'), takeProfits: [tp('63724.09', '50')] },
      rule: 'min target distance',
      expect: 'fail',
    },
    {
      label: 'fee cover follows the fee settings (0.2 % × 3 = 1.2 %: 64768)',
      decision: { takeProfits: [tp('64768', '50')] },
      settings: { takerFeeRate: dec('0.002'), minTpFeeMultiple: dec('3') },
      rule: 'min target distance',
      expect: 'pass',
    },
    {
      label: 'fee cover follows the fee settings (just short of 1.2 %)',
      decision: { takeProfits: [tp('64767.99', '50')] },
      settings: { takerFeeRate: dec('0.002'), minTpFeeMultiple: dec('3') },
      rule: 'min target distance',
      expect: 'fail',
    },
    { label: 'LONG target exactly 20 % away', decision: { takeProfits: [tp('76800', '50')] }, rule: 'max target distance', expect: 'pass' },
    { label: 'LONG target one tick past 20 %', decision: { takeProfits: [tp('76800.01', '50')] }, rule: 'max target distance', expect: 'fail' },
    {
      label: 'LONG target past 20 % until rounded down to the tick',
      decision: { takeProfits: [tp('76800.009', '50')] },
      rule: 'max target distance',
      expect: 'pass',
    },
    { label: 'share of exactly 100 %', decision: { takeProfits: [tp('66000', '100')] }, rule: 'take profit share', expect: 'pass' },
    {
      label: 'share above 100 % (reported once, not again as a total)',
      decision: { takeProfits: [tp('66000', '100.01')] },
      rule: 'take profit share',
      expect: 'fail',
    },
    { label: 'share of 0 %', decision: { takeProfits: [tp('66000', '0')] }, rule: 'take profit share', expect: 'fail' },
    { label: 'shares adding up to exactly 100 %', decision: { takeProfits: [tp('66000', '60'), tp('68000', '40')] }, rule: 'total take profit share', expect: 'pass' },
    {
      label: 'shares adding up to just over 100 %',
      decision: { takeProfits: [tp('66000', '60'), tp('68000', '40.01')] },
      rule: 'total take profit share',
      expect: 'fail',
    },
    { label: 'take-profits not a list', decision: { takeProfits: 'none' as unknown as [] }, rule: 'take profit list', expect: 'fail' },

    // Quantity (step 0.0001, min qty 0.0001, min value 5 USDT, priced at the reference)
    { label: 'a quantity from the sizing mode', rule: 'entry size', expect: 'pass' },
    { label: 'no quantity from the sizing mode', entryQty: null, rule: 'entry size', expect: 'fail' },
    { label: 'a zero quantity from the sizing mode', entryQty: '0', rule: 'entry size', expect: 'fail' },
    { label: 'quantity that truncates to 0', entryQty: '0.00009', rule: 'order size', expect: 'fail' },
    { label: 'quantity exactly at the minimum', entryQty: '0.001', rules: { minQty: dec('0.001') }, rule: 'order size', expect: 'pass' },
    {
      label: 'quantity truncated below the minimum',
      entryQty: '0.00099',
      rules: { minQty: dec('0.001') },
      rule: 'order size',
      expect: 'fail',
    },
    { label: 'order value exactly at the minimum (0.0001 × 64000)', entryQty: '0.0001', rules: { minNotional: dec('6.4') }, rule: 'order size', expect: 'pass' },
    { label: 'order value just below the minimum', entryQty: '0.0001', rules: { minNotional: dec('6.41') }, rule: 'order size', expect: 'fail' },
    { label: 'a positive size cap', decision: { sizeQuote: dec('320') }, rule: 'size cap', expect: 'pass' },
    { label: 'a zero size cap', decision: { sizeQuote: dec('0') }, rule: 'size cap', expect: 'fail' },
    { label: 'a size cap too small for the exchange', decision: { sizeQuote: dec('4') }, rule: 'order size', expect: 'fail' },
  ])('$label', (row) => {
    expectRule(row)
  })

  test.each<Case & { warning: RegExp | null }>([
    { label: 'reward/risk exactly 1: no warning', decision: { stopLoss: dec('63000'), takeProfits: [tp('65000', '50')] }, warning: null },
    {
      label: 'reward/risk just below 1 warns',
      decision: { stopLoss: dec('63000'), takeProfits: [tp('64999.99', '50')] },
      warning: /^take profit 64999\.99 gives a reward\/risk ratio of 1 \(reward 999\.99, risk 1000/,
    },
    {
      label: 'the nearest LONG target counts, not the first listed',
      decision: { stopLoss: dec('63000'), takeProfits: [tp('70000', '50'), tp('64500', '50')] },
      warning: /^take profit 64500 gives a reward\/risk ratio of 0\.5 /,
    },
    {
      label: 'SHORT reward/risk below 1 warns',
      decision: { action: 'SHORT', stopLoss: dec('64980'), takeProfits: [tp('63500', '50')] },
      warning: /^take profit 63500 gives a reward\/risk ratio of 0\.48 /,
    },
    {
      label: 'a size cap that shrinks the quantity warns',
      decision: { sizeQuote: dec('320') },
      warning: /^the size cap of 320 USDT lowers the entry quantity from 0\.01 to 0\.005 BTC$/,
    },
    { label: 'a size cap above the sizing mode changes nothing', decision: { sizeQuote: dec('10000') }, warning: null },
    {
      label: 'an entry price on a MARKET entry is ignored',
      decision: { entryPrice: dec('63000') },
      warning: /^entry price 63000 is ignored for a MARKET entry$/,
    },
  ])('$label', (row) => {
    const result = run(row)
    expect(result.isValid).toBe(true)
    if (row.warning === null) expect(result.warnings).toEqual([])
    else expect(result.warnings).toEqual([expect.stringMatching(row.warning)])
  })
})

describe('exits (CLOSE/PARTIAL_TP)', () => {
  // LONG exits at the bid 63980; 0.0001 BTC there is worth 6.398 USDT.
  test.each<RuleCase>([
    { label: 'CLOSE with a position', decision: { action: 'CLOSE' }, position: OPEN_LONG, rule: 'open position', expect: 'pass' },
    { label: 'CLOSE without a position', decision: { action: 'CLOSE' }, rule: 'open position', expect: 'fail' },
    { label: 'PARTIAL_TP without a position', decision: { action: 'PARTIAL_TP', exitSharePct: dec('50') }, rule: 'open position', expect: 'fail' },
    { label: 'PARTIAL_TP of 50 %', decision: { action: 'PARTIAL_TP', exitSharePct: dec('50') }, position: OPEN_LONG, rule: 'exit share', expect: 'pass' },
    { label: 'PARTIAL_TP of 99.99 %', decision: { action: 'PARTIAL_TP', exitSharePct: dec('99.99') }, position: OPEN_LONG, rule: 'exit share', expect: 'pass' },
    { label: 'PARTIAL_TP of 100 %', decision: { action: 'PARTIAL_TP', exitSharePct: dec('100') }, position: OPEN_LONG, rule: 'exit share', expect: 'fail' },
    { label: 'PARTIAL_TP of 0 %', decision: { action: 'PARTIAL_TP', exitSharePct: dec('0') }, position: OPEN_LONG, rule: 'exit share', expect: 'fail' },
    { label: 'PARTIAL_TP without a share', decision: { action: 'PARTIAL_TP' }, position: OPEN_LONG, rule: 'exit share', expect: 'fail' },
    {
      label: 'PARTIAL_TP smaller than one step',
      decision: { action: 'PARTIAL_TP', exitSharePct: dec('0.5') },
      position: OPEN_LONG,
      rule: 'order size',
      expect: 'fail',
    },
    {
      label: 'PARTIAL_TP worth exactly the minimum order value',
      decision: { action: 'PARTIAL_TP', exitSharePct: dec('1') },
      position: OPEN_LONG,
      rules: { minNotional: dec('6.398') },
      rule: 'order size',
      expect: 'pass',
    },
    {
      label: 'PARTIAL_TP worth just below the minimum order value',
      decision: { action: 'PARTIAL_TP', exitSharePct: dec('1') },
      position: OPEN_LONG,
      rules: { minNotional: dec('6.3981') },
      rule: 'order size',
      expect: 'fail',
    },
    {
      label: 'SHORT PARTIAL_TP priced at the ask (0.0001 × 64000)',
      decision: { action: 'PARTIAL_TP', exitSharePct: dec('1') },
      position: OPEN_SHORT,
      rules: { minNotional: dec('6.4') },
      rule: 'order size',
      expect: 'pass',
    },
  ])('$label', (row) => {
    expectRule(row)
  })

  test.each<Case & { exit: { qty: string; full: boolean }; warns: boolean }>([
    { label: 'CLOSE takes the whole position', decision: { action: 'CLOSE' }, position: OPEN_LONG, exit: { qty: '0.01', full: true }, warns: false },
    {
      label: 'PARTIAL_TP of 50 %',
      decision: { action: 'PARTIAL_TP', exitSharePct: dec('50') },
      position: OPEN_LONG,
      exit: { qty: '0.005', full: false },
      warns: false,
    },
    {
      label: 'PARTIAL_TP truncates to the step',
      decision: { action: 'PARTIAL_TP', exitSharePct: dec('33.333') },
      position: OPEN_LONG,
      exit: { qty: '0.0033', full: false },
      warns: false,
    },
    {
      label: 'remainder exactly at the minimum stays open (0.0001 × 63980 = 6.398)',
      decision: { action: 'PARTIAL_TP', exitSharePct: dec('99') },
      position: OPEN_LONG,
      rules: { minNotional: dec('6.398') },
      exit: { qty: '0.0099', full: false },
      warns: false,
    },
    {
      label: 'remainder below the minimum becomes a full exit',
      decision: { action: 'PARTIAL_TP', exitSharePct: dec('99') },
      position: OPEN_LONG,
      rules: { minNotional: dec('6.3981') },
      exit: { qty: '0.01', full: true },
      warns: true,
    },
    {
      label: 'a dust CLOSE goes through with a warning',
      decision: { action: 'CLOSE' },
      position: { ...OPEN_LONG, openQty: dec('0.00005') },
      exit: { qty: '0.00005', full: true },
      warns: true,
    },
  ])('$label', (row) => {
    const result = run(row)
    expect(result.isValid).toBe(true)
    expect(result.normalized).toEqual({ exit: { qty: dec(row.exit.qty), full: row.exit.full } })
    expect(result.warnings).toHaveLength(row.warns ? 1 : 0)
  })
})

describe('modifications inside a decision', () => {
  test.each<RuleCase>([
    {
      label: 'WATCH with modifications and a position',
      decision: { action: 'WATCH', modifications: LONG_MODS },
      position: OPEN_LONG,
      rule: 'open position',
      expect: 'pass',
    },
    {
      label: 'NO_TRADE with modifications but no position',
      decision: { action: 'NO_TRADE', modifications: LONG_MODS },
      rule: 'open position',
      expect: 'fail',
    },
    {
      label: 'LONG entry with modifications but no position',
      decision: { modifications: LONG_MODS },
      rule: 'open position',
      expect: 'fail',
    },
    {
      label: 'PARTIAL_TP with modifications',
      decision: { action: 'PARTIAL_TP', exitSharePct: dec('50'), modifications: LONG_MODS },
      position: OPEN_LONG,
      rule: 'stop loss side',
      expect: 'pass',
    },
    {
      label: 'CLOSE with modifications contradicts itself',
      decision: { action: 'CLOSE', modifications: LONG_MODS },
      position: OPEN_LONG,
      rule: 'no modifications with close',
      expect: 'fail',
    },
    {
      label: 'modifications count against the hourly limit (5 + 1 = 6)',
      decision: { action: 'WATCH', modifications: LONG_MODS },
      position: { ...OPEN_LONG, modificationsLastHour: 5 },
      rule: 'max modifications per hour',
      expect: 'pass',
    },
    {
      label: 'modifications count against the hourly limit (6 + 1 = 7)',
      decision: { action: 'WATCH', modifications: LONG_MODS },
      position: { ...OPEN_LONG, modificationsLastHour: 6 },
      rule: 'max modifications per hour',
      expect: 'fail',
    },
    {
      label: 'a looser stop on a profitable position',
      decision: { action: 'WATCH', modifications: [{ type: 'MOVE_SL', price: dec('60999.99') }] },
      position: OPEN_LONG,
      rule: 'profit lock-in',
      expect: 'fail',
    },
  ])('$label', (row) => {
    expectRule(row)
  })

  test('a partial exit turned into a full exit drops its modifications with a warning', () => {
    const result = run({
      decision: { action: 'PARTIAL_TP', exitSharePct: dec('99'), modifications: LONG_MODS },
      position: OPEN_LONG,
      rules: { minNotional: dec('6.3981') },
      label: '',
    })
    expect(result.isValid).toBe(true)
    expect(result.normalized).toEqual({ exit: { qty: dec('0.01'), full: true } })
    expect(result.warnings).toEqual([
      expect.stringContaining('closing the whole position instead'),
      'the 1 modification(s) are dropped because the exit closes the whole position',
    ])
  })
})

describe('normalized output', () => {
  test.each<Case & { normalized: DecisionValidation['normalized'] }>([
    {
      label: 'MARKET LONG',
      normalized: {
        entry: { side: 'LONG', type: 'MARKET', price: null, qty: dec('0.01'), stopLoss: dec('62000'), takeProfits: [tp('66000', '50')] },
      },
    },
    {
      label: 'LIMIT LONG rounds every price toward the safe side and sorts targets by price',
      decision: {
        entryType: 'LIMIT',
        entryPrice: dec('63500.019'),
        stopLoss: dec('61000.001'),
        takeProfits: [tp('67000.009', '40'), tp('65000.005', '60')],
      },
      entryQty: '0.012345',
      normalized: {
        entry: {
          side: 'LONG',
          type: 'LIMIT',
          price: dec('63500.01'),
          qty: dec('0.0123'),
          stopLoss: dec('61000.01'),
          takeProfits: [tp('65000', '60'), tp('67000', '40')],
        },
      },
    },
    {
      label: 'LIMIT SHORT rounds the other way',
      decision: {
        action: 'SHORT',
        entryType: 'LIMIT',
        entryPrice: dec('64500.001'),
        stopLoss: dec('66000.009'),
        takeProfits: [tp('62000.001', '100')],
      },
      normalized: {
        entry: {
          side: 'SHORT',
          type: 'LIMIT',
          price: dec('64500.01'),
          qty: dec('0.01'),
          stopLoss: dec('66000'),
          takeProfits: [tp('62000.01', '100')],
        },
      },
    },
    {
      label: 'a size cap shrinks the quantity',
      decision: { sizeQuote: dec('100') },
      normalized: {
        entry: { side: 'LONG', type: 'MARKET', price: null, qty: dec('0.0015'), stopLoss: dec('62000'), takeProfits: [tp('66000', '50')] },
      },
    },
    {
      label: 'WATCH with modifications returns the whole resulting protection',
      decision: { action: 'WATCH', modifications: [{ type: 'MOVE_SL', price: dec('62500') }, { type: 'ADD_TP', price: dec('65000'), sharePct: dec('25') }] },
      position: OPEN_LONG,
      normalized: { protection: { stopLoss: dec('62500'), takeProfits: [tp('65000', '25'), tp('66000', '50')] } },
    },
    {
      label: 'PARTIAL_TP with modifications returns both',
      decision: { action: 'PARTIAL_TP', exitSharePct: dec('50'), modifications: [{ type: 'CANCEL_TP', level: 1 }] },
      position: OPEN_LONG,
      normalized: { exit: { qty: dec('0.005'), full: false }, protection: { stopLoss: dec('61000'), takeProfits: [] } },
    },
  ])('$label', (row) => {
    const result = run(row)
    expect(result.errors).toEqual([])
    expect(result.normalized).toEqual(row.normalized)
  })

  test('an invalid decision carries no normalized values', () => {
    const result = run({ label: '', decision: { stopLoss: dec('50000') } })
    expect(result.isValid).toBe(false)
    expect(result.normalized).toBeUndefined()
  })
})

describe('messages name the field and the numbers', () => {
  test.each<Case & { name: string; error: string; currentValue: string; requiredValue: string }>([
    {
      label: 'stop too far',
      decision: { stopLoss: dec('59000') },
      name: 'max stop distance',
      error: 'stop loss 59000 is 7.81% from the entry reference 64000; the maximum is 5%',
      currentValue: '7.81%',
      requiredValue: '<= 5%',
    },
    {
      label: 'stop one tick too far shows enough digits to see why',
      decision: { stopLoss: dec('60799.99'), takeProfits: [] },
      name: 'max stop distance',
      error: 'stop loss 60799.99 is 5.00002% from the entry reference 64000; the maximum is 5%',
      currentValue: '5.00002%',
      requiredValue: '<= 5%',
    },
    {
      label: 'rounded stop on the wrong side',
      decision: { stopLoss: dec('64000.001') },
      name: 'stop loss side',
      error: 'stop loss 64000.01 (rounded from 64000.001) must be below the entry reference 64000 for a LONG',
      currentValue: '64000.01',
      requiredValue: 'below 64000',
    },
    {
      label: 'target inside the fees',
      decision: { takeProfits: [tp('66000', '50'), tp('64100', '50')] },
      name: 'min target distance',
      error: 'take profit 2 64100 is 0.16% from the entry reference 64000; the minimum to cover round-trip fees is 0.4%',
      currentValue: '0.16%',
      requiredValue: '>= 0.4%',
    },
    {
      label: 'hallucinated limit price',
      decision: { entryType: 'LIMIT', entryPrice: dec('6400') },
      name: 'max entry deviation',
      error: 'limit entry price 6400 is 90% from the market mid 63990; the maximum is 2%',
      currentValue: '90%',
      requiredValue: '<= 2%',
    },
    {
      label: 'low confidence',
      decision: { confidence: dec('0.55') },
      name: 'min confidence',
      error: 'confidence 0.55 is below the minimum 0.6 for LONG',
      currentValue: '0.55',
      requiredValue: '>= 0.6',
    },
    {
      label: 'targets over 100 %',
      decision: { takeProfits: [tp('66000', '70'), tp('67000', '40')] },
      name: 'total take profit share',
      error: 'take profit shares add up to 110% of the position; the maximum is 100%',
      currentValue: '110%',
      requiredValue: '<= 100%',
    },
    {
      label: 'exit share of 100 %',
      decision: { action: 'PARTIAL_TP', exitSharePct: dec('100') },
      position: OPEN_LONG,
      name: 'exit share',
      error: 'exit share (exitSharePct) 100% must be greater than 0% and less than 100%',
      currentValue: '100%',
      requiredValue: 'in (0%, 100%)',
    },
    {
      label: 'quantity below one step',
      entryQty: '0.00009',
      name: 'order size',
      error: 'entry quantity 0 (0.00009 truncated to the step size 0.0001) at 64000: quantity 0 must be greater than 0 for BTC/USDT',
      currentValue: '0 BTC (0 USDT)',
      requiredValue: '>= 0.0001 BTC and >= 5 USDT',
    },
    {
      label: 'shorting disabled',
      decision: { action: 'SHORT', stopLoss: dec('65000'), takeProfits: [] },
      settings: { canShort: false },
      name: 'shorting allowed',
      error: 'a SHORT entry was proposed but shorting is disabled in the trading settings',
      currentValue: 'SHORT',
      requiredValue: 'shorting enabled',
    },
    {
      label: 'symbol off the watchlist',
      decision: { symbol: 'DOGE/USDT' },
      name: 'symbol on watchlist',
      error: 'symbol DOGE/USDT is not on the watchlist (BTC/USDT, ETH/USDT)',
      currentValue: 'DOGE/USDT',
      requiredValue: 'one of BTC/USDT, ETH/USDT',
    },
  ])('$label', (row) => {
    const result = run(row)
    expect(result.errors).toEqual([row.error])
    expect(result.constraints.find((c) => c.name === row.name && !c.satisfied)).toEqual({
      name: row.name,
      satisfied: false,
      currentValue: row.currentValue,
      requiredValue: row.requiredValue,
    })
  })
})

describe('malformed model output is an error, never an exception', () => {
  test.each<Case & { rule: string }>([
    { label: 'NaN stop loss', decision: { stopLoss: dec('NaN') }, rule: 'stop loss value' },
    { label: 'infinite stop loss', decision: { stopLoss: dec('Infinity') }, rule: 'stop loss value' },
    { label: 'infinite limit price', decision: { entryType: 'LIMIT', entryPrice: dec('Infinity') }, rule: 'limit price' },
    { label: 'target without a price', decision: { takeProfits: [{ sharePct: dec('50') } as never] }, rule: 'take profit price' },
    { label: 'target without a share', decision: { takeProfits: [{ price: dec('66000') } as never] }, rule: 'take profit share' },
    { label: 'target that is not an object', decision: { takeProfits: [null as never] }, rule: 'take profit price' },
    { label: 'NaN size cap', decision: { sizeQuote: dec('NaN') }, rule: 'size cap' },
    { label: 'NaN entry quantity', entryQty: 'NaN', rule: 'entry size' },
    { label: 'NaN exit share', decision: { action: 'PARTIAL_TP', exitSharePct: dec('NaN') }, position: OPEN_LONG, rule: 'exit share' },
    { label: 'zero bid', bid: '0', rule: 'market data' },
    { label: 'NaN ask', ask: 'NaN', rule: 'market data' },
    { label: 'zero tick size', rules: { tickSize: dec('0') }, rule: 'market data' },
    { label: 'zero step size', rules: { stepSize: dec('0') }, rule: 'market data' },
    {
      label: 'a modification that is null',
      decision: { action: 'WATCH', modifications: [null as never] },
      position: OPEN_LONG,
      rule: 'modification type',
    },
    {
      label: 'a modification of an unknown type',
      decision: { action: 'WATCH', modifications: [{ type: 'REMOVE_SL' } as never] },
      position: OPEN_LONG,
      rule: 'modification type',
    },
    {
      label: 'a MOVE_SL without a price',
      decision: { action: 'WATCH', modifications: [{ type: 'MOVE_SL' } as never] },
      position: OPEN_LONG,
      rule: 'stop loss value',
    },
  ])('$label', (row) => {
    let result: DecisionValidation | undefined
    expect(() => {
      result = run(row)
    }).not.toThrow()
    expect(result?.isValid).toBe(false)
    expect(statusOf(result!, row.rule)).toBe('fail')
  })
})

import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import type { OpenPositionState } from '@/lib/domain/decisions/decision-context'
import type { Modification, ModificationTrigger } from '@/lib/domain/decisions/trade-decision'
import { validateModifications, type ModificationValidation } from '@/lib/domain/decisions/validate-modifications'
import { RULES, SETTINGS } from './decision-fixtures'

// A LONG exits at the bid 63980 (5 % below is 60781; fee cover 0.4 % above is 64235.92; 20 % above is 76776).
// A SHORT exits at the ask 64000 (5 % above is 67200).
const tp = (price: string, sharePct: string) => ({ price: dec(price), sharePct: dec(sharePct) })

/** Under water (entered at 65000, bid 63980), so the profit lock-in does not apply. */
const LOSING_LONG: OpenPositionState = {
  side: 'LONG',
  openQty: dec('0.01'),
  avgEntryPrice: dec('65000'),
  stopLoss: dec('60000'),
  takeProfits: [tp('66000', '30'), tp('70000', '30')],
  filledSharePct: dec('0'),
  modificationsLastHour: 0,
  ruleStopFloor: null,
}
/** In profit (entered at 60000, bid 63980). */
const WINNING_LONG: OpenPositionState = { ...LOSING_LONG, avgEntryPrice: dec('60000'), stopLoss: dec('61000') }
/** In profit (entered at 70000, ask 64000). */
const WINNING_SHORT: OpenPositionState = {
  ...LOSING_LONG,
  side: 'SHORT',
  avgEntryPrice: dec('70000'),
  stopLoss: dec('66000'),
  takeProfits: [tp('60000', '50')],
}
const LOSING_SHORT: OpenPositionState = { ...WINNING_SHORT, avgEntryPrice: dec('63000') }

const moveSl = (price: string): Modification => ({ type: 'MOVE_SL', price: dec(price) })
const trailSl = (distancePct: string): Modification => ({ type: 'TRAIL_SL', distancePct: dec(distancePct) })
const addTp = (price: string, sharePct: string): Modification => ({ type: 'ADD_TP', price: dec(price), sharePct: dec(sharePct) })
const modifyTp = (level: number, price: string, sharePct?: string): Modification => ({
  type: 'MODIFY_TP',
  level,
  price: dec(price),
  ...(sharePct === undefined ? {} : { sharePct: dec(sharePct) }),
})
const cancelTp = (level: number): Modification => ({ type: 'CANCEL_TP', level })

interface Case {
  label: string
  mods: Modification[]
  position?: Partial<OpenPositionState>
  trigger?: ModificationTrigger
}

function run(c: Case): ModificationValidation {
  return validateModifications({
    modifications: c.mods,
    position: { ...LOSING_LONG, ...c.position },
    market: { bid: dec('63980'), ask: dec('64000'), rules: RULES },
    settings: SETTINGS,
    trigger: c.trigger ?? 'AI_ANALYSIS',
  })
}

type Expect = 'pass' | 'fail' | 'absent'

interface RuleCase extends Case {
  rule: string
  expect: Expect
  alsoFailed?: string[]
}

function statusOf(result: ModificationValidation, name: string): Expect {
  const found = result.constraints.filter((c) => c.name === name)
  if (found.length === 0) return 'absent'
  return found.every((c) => c.satisfied) ? 'pass' : 'fail'
}

function failedNames(result: ModificationValidation): string[] {
  return [...new Set(result.constraints.filter((c) => !c.satisfied).map((c) => c.name))].sort()
}

describe('validateModifications: one rule per row', () => {
  test.each<RuleCase>([
    // Hourly limit (AI only)
    { label: '4 earlier + 2 now = 6: at the limit', mods: [moveSl('61000'), moveSl('61500')], position: { modificationsLastHour: 4 }, rule: 'max modifications per hour', expect: 'pass' },
    { label: '5 earlier + 2 now = 7: over the limit', mods: [moveSl('61000'), moveSl('61500')], position: { modificationsLastHour: 5 }, rule: 'max modifications per hour', expect: 'fail' },
    { label: 'a person is not rate limited', mods: [moveSl('61000')], position: { modificationsLastHour: 50 }, trigger: 'USER_MANUAL', rule: 'max modifications per hour', expect: 'absent' },
    { label: 'the rule engine is not rate limited', mods: [moveSl('61000')], position: { modificationsLastHour: 50 }, trigger: 'RULE_ENGINE', rule: 'max modifications per hour', expect: 'absent' },

    // MOVE_SL: side and distance from the exit price
    { label: 'LONG stop one tick below the bid', mods: [moveSl('63979.99')], rule: 'stop loss side', expect: 'pass' },
    { label: 'LONG stop at the bid', mods: [moveSl('63980')], rule: 'stop loss side', expect: 'fail' },
    { label: 'LONG stop rounded up onto the bid', mods: [moveSl('63979.991')], rule: 'stop loss side', expect: 'fail' },
    { label: 'SHORT stop one tick above the ask', mods: [moveSl('64000.01')], position: LOSING_SHORT, rule: 'stop loss side', expect: 'pass' },
    { label: 'SHORT stop at the ask', mods: [moveSl('64000')], position: LOSING_SHORT, rule: 'stop loss side', expect: 'fail' },
    { label: 'LONG stop exactly 5 % below the bid', mods: [moveSl('60781')], rule: 'max stop distance', expect: 'pass' },
    { label: 'LONG stop one tick past 5 %', mods: [moveSl('60780.99')], rule: 'max stop distance', expect: 'fail' },
    { label: 'LONG stop past 5 % until rounded up to the tick', mods: [moveSl('60780.991')], rule: 'max stop distance', expect: 'pass' },
    { label: 'SHORT stop exactly 5 % above the ask', mods: [moveSl('67200')], position: LOSING_SHORT, rule: 'max stop distance', expect: 'pass' },
    { label: 'SHORT stop one tick past 5 %', mods: [moveSl('67200.01')], position: LOSING_SHORT, rule: 'max stop distance', expect: 'fail' },
    { label: 'a positive stop price', mods: [moveSl('61000')], rule: 'stop loss value', expect: 'pass' },
    { label: 'a zero stop price', mods: [moveSl('0')], rule: 'stop loss value', expect: 'fail' },
    { label: 'a NaN stop price', mods: [moveSl('NaN')], rule: 'stop loss value', expect: 'fail' },

    // TRAIL_SL: d in (0, max]
    { label: 'trail exactly at the 5 % maximum', mods: [trailSl('5')], rule: 'trail distance', expect: 'pass' },
    { label: 'trail just over the maximum', mods: [trailSl('5.01')], rule: 'trail distance', expect: 'fail' },
    { label: 'trail of 0 %', mods: [trailSl('0')], rule: 'trail distance', expect: 'fail' },
    { label: 'trail of -1 %', mods: [trailSl('-1')], rule: 'trail distance', expect: 'fail' },

    // Profit lock-in: a winning position's stop only tightens
    { label: 'winning LONG: stop unchanged is allowed', mods: [moveSl('61000')], position: WINNING_LONG, rule: 'profit lock-in', expect: 'pass' },
    { label: 'winning LONG: stop one tick looser', mods: [moveSl('60999.99')], position: WINNING_LONG, rule: 'profit lock-in', expect: 'fail' },
    { label: 'winning LONG: trail that loosens the stop', mods: [trailSl('5')], position: { ...WINNING_LONG, stopLoss: dec('62000') }, rule: 'profit lock-in', expect: 'fail' },
    { label: 'winning SHORT: stop unchanged is allowed', mods: [moveSl('66000')], position: WINNING_SHORT, rule: 'profit lock-in', expect: 'pass' },
    { label: 'winning SHORT: stop one tick looser', mods: [moveSl('66000.01')], position: WINNING_SHORT, rule: 'profit lock-in', expect: 'fail' },
    { label: 'losing LONG may loosen within the limits', mods: [moveSl('60999.99')], position: { stopLoss: dec('61000') }, rule: 'profit lock-in', expect: 'absent' },
    { label: 'LONG exactly at breakeven is not in profit', mods: [moveSl('60999.99')], position: { avgEntryPrice: dec('63980'), stopLoss: dec('61000') }, rule: 'profit lock-in', expect: 'absent' },
    { label: 'LONG one tick in profit is locked', mods: [moveSl('60999.99')], position: { avgEntryPrice: dec('63979.99'), stopLoss: dec('61000') }, rule: 'profit lock-in', expect: 'fail' },
    { label: 'winning LONG without a stop may set any valid one', mods: [moveSl('61000')], position: { ...WINNING_LONG, stopLoss: null }, rule: 'profit lock-in', expect: 'absent' },

    // Rule engine floor: never looser, in profit or not
    { label: 'LONG stop at the rule floor', mods: [moveSl('62000')], position: { ruleStopFloor: dec('62000') }, rule: 'rule stop floor', expect: 'pass' },
    { label: 'LONG stop one tick below the rule floor', mods: [moveSl('61999.99')], position: { ruleStopFloor: dec('62000') }, rule: 'rule stop floor', expect: 'fail' },
    { label: 'SHORT stop at the rule floor', mods: [moveSl('65000')], position: { ...LOSING_SHORT, ruleStopFloor: dec('65000') }, rule: 'rule stop floor', expect: 'pass' },
    { label: 'SHORT stop one tick above the rule floor', mods: [moveSl('65000.01')], position: { ...LOSING_SHORT, ruleStopFloor: dec('65000') }, rule: 'rule stop floor', expect: 'fail' },
    { label: 'a person is held to the rule floor too', mods: [moveSl('61999.99')], position: { ruleStopFloor: dec('62000') }, trigger: 'USER_MANUAL', rule: 'rule stop floor', expect: 'fail' },
    { label: 'no floor set', mods: [moveSl('61000')], rule: 'rule stop floor', expect: 'absent' },

    // Never without a stop
    { label: 'targets changed on a position with a stop', mods: [cancelTp(1)], rule: 'stop loss present', expect: 'pass' },
    { label: 'targets changed on a position without a stop', mods: [cancelTp(1)], position: { stopLoss: null }, rule: 'stop loss present', expect: 'fail' },
    { label: 'a stop set on a position without one', mods: [moveSl('61000')], position: { stopLoss: null }, rule: 'stop loss present', expect: 'pass' },

    // ADD_TP / MODIFY_TP prices (from the exit price)
    { label: 'LONG target exactly at the fee cover', mods: [addTp('64235.92', '10')], rule: 'min target distance', expect: 'pass' },
    { label: 'LONG target one tick short of the fee cover', mods: [addTp('64235.91', '10')], rule: 'min target distance', expect: 'fail' },
    { label: 'LONG target exactly 20 % away', mods: [addTp('76776', '10')], rule: 'max target distance', expect: 'pass' },
    { label: 'LONG target one tick past 20 %', mods: [addTp('76776.01', '10')], rule: 'max target distance', expect: 'fail' },
    { label: 'LONG target above the bid', mods: [addTp('65000', '10')], rule: 'take profit side', expect: 'pass' },
    { label: 'LONG target at the bid', mods: [addTp('63980', '10')], rule: 'take profit side', expect: 'fail' },
    { label: 'SHORT target above the ask', mods: [addTp('64500', '10')], position: LOSING_SHORT, rule: 'take profit side', expect: 'fail' },
    { label: 'MODIFY_TP moved below the bid', mods: [modifyTp(1, '63000')], rule: 'take profit side', expect: 'fail' },
    { label: 'a zero target price', mods: [addTp('0', '10')], rule: 'take profit price', expect: 'fail' },
    { label: 'a stale existing level below the bid is not re-judged', mods: [addTp('72000', '10')], position: { takeProfits: [tp('63000', '30')] }, rule: 'take profit side', expect: 'pass' },

    // Shares: filled + active <= 100
    { label: 'a share of 40 % brings the total to exactly 100 %', mods: [addTp('72000', '40')], rule: 'total take profit share', expect: 'pass' },
    { label: 'a share of 40.01 % brings the total over 100 %', mods: [addTp('72000', '40.01')], rule: 'total take profit share', expect: 'fail' },
    { label: 'filled shares count (10 + 60 + 30 = 100)', mods: [addTp('72000', '30')], position: { filledSharePct: dec('10') }, rule: 'total take profit share', expect: 'pass' },
    { label: 'filled shares count (10 + 60 + 30.01)', mods: [addTp('72000', '30.01')], position: { filledSharePct: dec('10') }, rule: 'total take profit share', expect: 'fail' },
    { label: 'MODIFY_TP share to 70 % (70 + 30 = 100)', mods: [modifyTp(1, '66000', '70')], rule: 'total take profit share', expect: 'pass' },
    { label: 'MODIFY_TP share to 70.01 %', mods: [modifyTp(1, '66000', '70.01')], rule: 'total take profit share', expect: 'fail' },
    { label: 'a share of 0 %', mods: [addTp('72000', '0')], rule: 'take profit share', expect: 'fail' },
    { label: 'stop-only changes do not re-judge the shares', mods: [moveSl('61000')], position: { filledSharePct: dec('90') }, rule: 'total take profit share', expect: 'absent' },

    // Levels (as shown to the provider)
    { label: 'MODIFY_TP of level 2 (the last one)', mods: [modifyTp(2, '71000')], rule: 'take profit level', expect: 'pass' },
    { label: 'MODIFY_TP of level 3 (does not exist)', mods: [modifyTp(3, '71000')], rule: 'take profit level', expect: 'fail' },
    { label: 'MODIFY_TP of level 0', mods: [modifyTp(0, '71000')], rule: 'take profit level', expect: 'fail' },
    { label: 'MODIFY_TP of level 1.5', mods: [modifyTp(1.5, '71000')], rule: 'take profit level', expect: 'fail' },
    { label: 'CANCEL_TP of level 1', mods: [cancelTp(1)], rule: 'take profit level', expect: 'pass' },
    { label: 'CANCEL_TP of level 3 (does not exist)', mods: [cancelTp(3)], rule: 'take profit level', expect: 'fail' },
    { label: 'CANCEL_TP on a position without targets', mods: [cancelTp(1)], position: { takeProfits: [] }, rule: 'take profit level', expect: 'fail' },
    { label: 'cancel 1, then modify 2: level 2 is still the one shown', mods: [cancelTp(1), modifyTp(2, '71000')], rule: 'take profit level', expect: 'pass' },
    { label: 'cancel 1, then modify 1: already cancelled', mods: [cancelTp(1), modifyTp(1, '67000')], rule: 'take profit level', expect: 'fail' },

    { label: 'an unknown modification type', mods: [{ type: 'REMOVE_SL' } as never], rule: 'modification type', expect: 'fail' },
  ])('$label', (row) => {
    const result = run(row)
    expect(statusOf(result, row.rule)).toBe(row.expect)
    const failed = [...(row.expect === 'fail' ? [row.rule] : []), ...(row.alsoFailed ?? [])].sort()
    expect(failedNames(result)).toEqual(failed)
    expect(result.isValid).toBe(failed.length === 0)
    expect(result.protection === undefined).toBe(!result.isValid)
  })
})

describe('validateModifications: the resulting protection', () => {
  test.each<Case & { stopLoss: string | null; takeProfits: [string, string][] }>([
    { label: 'MOVE_SL replaces the stop', mods: [moveSl('61500')], stopLoss: '61500', takeProfits: [['66000', '30'], ['70000', '30']] },
    { label: 'MOVE_SL rounds a LONG stop up to the tick', mods: [moveSl('61500.001')], stopLoss: '61500.01', takeProfits: [['66000', '30'], ['70000', '30']] },
    { label: 'TRAIL_SL on a LONG trails the bid', mods: [trailSl('2')], stopLoss: '62700.4', takeProfits: [['66000', '30'], ['70000', '30']] },
    { label: 'TRAIL_SL rounds a LONG stop up (63980 × 0.98766 = 63190.4868)', mods: [trailSl('1.234')], stopLoss: '63190.49', takeProfits: [['66000', '30'], ['70000', '30']] },
    { label: 'TRAIL_SL on a SHORT trails the ask', mods: [trailSl('2')], position: LOSING_SHORT, stopLoss: '65280', takeProfits: [['60000', '50']] },
    { label: 'the last stop change wins', mods: [moveSl('61000'), trailSl('2')], stopLoss: '62700.4', takeProfits: [['66000', '30'], ['70000', '30']] },
    { label: 'ADD_TP keeps targets sorted by price', mods: [addTp('65000.009', '10')], stopLoss: '60000', takeProfits: [['65000', '10'], ['66000', '30'], ['70000', '30']] },
    { label: 'MODIFY_TP keeps the share unless given', mods: [modifyTp(1, '67000')], stopLoss: '60000', takeProfits: [['67000', '30'], ['70000', '30']] },
    { label: 'MODIFY_TP can move a level past another', mods: [modifyTp(1, '72000', '20')], stopLoss: '60000', takeProfits: [['70000', '30'], ['72000', '20']] },
    { label: 'cancel 1, then modify 2 changes the level shown as 2', mods: [cancelTp(1), modifyTp(2, '71000')], stopLoss: '60000', takeProfits: [['71000', '30']] },
    { label: 'cancelling every level leaves a stop only', mods: [cancelTp(2), cancelTp(1)], stopLoss: '60000', takeProfits: [] },
  ])('$label', (row) => {
    const result = run(row)
    expect(result.errors).toEqual([])
    expect(result.protection).toEqual({
      stopLoss: row.stopLoss === null ? null : dec(row.stopLoss),
      takeProfits: row.takeProfits.map(([price, share]) => tp(price, share)),
    })
  })

  test('no modifications: valid, nothing to apply', () => {
    expect(run({ label: '', mods: [] })).toEqual({ isValid: true, errors: [], warnings: [], constraints: [] })
  })
})

describe('validateModifications: messages', () => {
  test.each<Case & { error: string }>([
    {
      label: 'stop too far from the exit price',
      mods: [moveSl('60000')],
      error: 'modification 1 (MOVE_SL) stop loss 60000 is 6.22% from the exit price 63980; the maximum is 5%',
    },
    {
      label: 'trailed stop on the wrong side after rounding',
      mods: [trailSl('0.00001')],
      error: 'modification 1 (TRAIL_SL) stop loss 63980 (trailing 0.00001% from the exit price 63980, rounded from 63979.993602) must be below the exit price 63980 for a LONG',
    },
    {
      label: 'profit lock-in',
      mods: [moveSl('60999.99')],
      position: WINNING_LONG,
      error:
        'modification 1 (MOVE_SL) stop loss 60999.99 is looser than the current stop 61000; while the LONG is in profit (the exit price 63980, average entry 60000) its stop may only move up',
    },
    {
      label: 'rule floor',
      mods: [moveSl('61999.99')],
      position: { ruleStopFloor: dec('62000') },
      error: "modification 1 (MOVE_SL) stop loss 61999.99 is looser than the rule engine's stop 62000; a stop set by the breakeven/trailing rules may only be tightened",
    },
    {
      label: 'rate limit',
      mods: [moveSl('61000'), moveSl('61500')],
      position: { modificationsLastHour: 5 },
      error: '2 modification(s) now and 5 in the last hour make 7; the maximum is 6 per hour for a position',
    },
    {
      label: 'missing level',
      mods: [cancelTp(3)],
      error: 'modification 1 (CANCEL_TP) level 3 does not exist; the position has 2 active take-profit level(s)',
    },
    {
      label: 'cancelled level',
      mods: [cancelTp(2), modifyTp(2, '71000')],
      error: 'modification 2 (MODIFY_TP) level 2 was already cancelled earlier in this decision',
    },
    {
      label: 'shares with filled targets',
      mods: [addTp('72000', '40')],
      position: { filledSharePct: dec('20') },
      error: 'take profit shares add up to 100% plus 20% already taken, 120% of the position; the maximum is 100%',
    },
    {
      label: 'modified target inside the fees',
      mods: [modifyTp(1, '64000')],
      error:
        'modification 1 (MODIFY_TP) take profit level 1 64000 is 0.03% from the exit price 63980; the minimum to cover round-trip fees is 0.4%',
    },
    {
      label: 'no stop left',
      mods: [addTp('72000', '10')],
      position: { stopLoss: null },
      error: 'the position would be left without a stop loss; set one with MOVE_SL or TRAIL_SL',
    },
  ])('$label', (row) => {
    expect(run(row).errors).toEqual([row.error])
  })
})

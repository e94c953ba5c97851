import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import {
  DEFAULT_MANAGEMENT_RULES,
  manageStop,
  type ManagementRules,
  type StopManagementInput,
} from '@/lib/domain/management/stop-management'

const MIN = 60_000
const rules = (over: Partial<ManagementRules>): ManagementRules => ({ ...DEFAULT_MANAGEMENT_RULES, ...over })
const TRAIL_ONLY = rules({ breakevenAtPct: null })
const TIME_ONLY = rules({ breakevenAtPct: null, trailingPct: null, tightenAfterMinutes: 240, tightenToPct: dec(1) })

/** Entry 60000, tick 0.01, opened at t=0 and judged at t=10 min, default rules. */
function input(over: {
  side?: 'LONG' | 'SHORT'
  exit: string
  stop: string | null
  tick?: string
  now?: number
  atr?: string
  rules?: ManagementRules
}): StopManagementInput {
  return {
    side: over.side ?? 'LONG',
    avgEntryPrice: dec(60000),
    currentStop: over.stop === null ? null : dec(over.stop),
    exitPrice: dec(over.exit),
    openedAt: 0,
    now: over.now ?? 10 * MIN,
    atr: over.atr ? dec(over.atr) : null,
    tickSize: dec(over.tick ?? '0.01'),
    rules: over.rules ?? DEFAULT_MANAGEMENT_RULES,
  }
}

type Row = { label: string; in: StopManagementInput; expected: { stop: string; rule: string; reason: string } | null }

function run({ in: i, expected }: Row) {
  const r = manageStop(i)
  expect(r && { stop: r.stop.toFixed(), rule: r.rule, reason: r.reason }).toEqual(expected)
}

describe('manageStop: breakeven', () => {
  test.each<Row>([
    {
      label: 'LONG exactly at the 1% threshold moves to entry + 0.2%',
      in: input({ exit: '60600', stop: '58800' }),
      expected: { stop: '60120', rule: 'BREAKEVEN', reason: 'profit 1% >= 1%: stop to breakeven 60120 (entry 60000 + 0.2%)' },
    },
    {
      label: 'LONG just under the threshold only trails',
      in: input({ exit: '60599.5', stop: '58800' }),
      // 60599.5 × 0.98 = 59387.51
      expected: { stop: '59387.51', rule: 'TRAILING', reason: 'trailing 2% below bid 60599.5: stop 59387.51' },
    },
    {
      label: 'LONG at +1.2% (breakeven is tighter than the 2% trail)',
      in: input({ exit: '60720', stop: '58800' }),
      expected: { stop: '60120', rule: 'BREAKEVEN', reason: 'profit 1.2% >= 1%: stop to breakeven 60120 (entry 60000 + 0.2%)' },
    },
    {
      label: 'SHORT exactly at the threshold moves to entry − 0.2%',
      in: input({ side: 'SHORT', exit: '59400', stop: '61200' }),
      expected: { stop: '59880', rule: 'BREAKEVEN', reason: 'profit 1% >= 1%: stop to breakeven 59880 (entry 60000 − 0.2%)' },
    },
    {
      label: 'stop already at breakeven: no change',
      in: input({ exit: '60600', stop: '60120' }),
      expected: null,
    },
    {
      label: 'stop already beyond breakeven: no change',
      in: input({ exit: '60600', stop: '60200' }),
      expected: null,
    },
    {
      label: 'zero offset moves to the entry itself',
      in: input({ exit: '60600', stop: '58800', rules: rules({ breakevenOffsetPct: dec(0) }) }),
      expected: { stop: '60000', rule: 'BREAKEVEN', reason: 'profit 1% >= 1%: stop to breakeven 60000' },
    },
    {
      label: 'breakeven above the bid is skipped; the trail still applies',
      // threshold 0.1% but offset 0.2%: breakeven would be 60120, above the bid 60060
      in: input({ exit: '60060', stop: '58000', rules: rules({ breakevenAtPct: dec('0.1') }) }),
      expected: { stop: '58858.8', rule: 'TRAILING', reason: 'trailing 2% below bid 60060: stop 58858.8' },
    },
  ])('$label', run)
})

describe('manageStop: trailing', () => {
  test.each<Row>([
    {
      label: 'LONG far in profit trails 2% below the bid',
      in: input({ exit: '63000', stop: '60120' }),
      expected: { stop: '61740', rule: 'TRAILING', reason: 'trailing 2% below bid 63000: stop 61740' },
    },
    {
      label: 'SHORT far in profit trails 2% above the ask',
      in: input({ side: 'SHORT', exit: '57000', stop: '59880' }),
      expected: { stop: '58140', rule: 'TRAILING', reason: 'trailing 2% above ask 57000: stop 58140' },
    },
    {
      label: 'a position without a stop gets one, even at a loss',
      in: input({ exit: '59000', stop: null }),
      expected: { stop: '57820', rule: 'TRAILING', reason: 'trailing 2% below bid 59000: stop 57820' },
    },
    { label: 'at a loss with a tighter stop: never loosens', in: input({ exit: '59000', stop: '58000' }), expected: null },
    { label: 'SHORT at a loss with a tighter stop: never loosens', in: input({ side: 'SHORT', exit: '61000', stop: '62000' }), expected: null },
    { label: 'trail equal to the current stop: no change', in: input({ exit: '59000', stop: '57820' }), expected: null },
    {
      label: 'LONG rounds up to the tick (toward the market)',
      in: input({ exit: '60995', stop: '58000', tick: '1', rules: TRAIL_ONLY }),
      // 60995 × 0.98 = 59775.1 → 59776
      expected: { stop: '59776', rule: 'TRAILING', reason: 'trailing 2% below bid 60995: stop 59776' },
    },
    {
      label: 'SHORT rounds down to the tick (toward the market)',
      in: input({ side: 'SHORT', exit: '59401', stop: '62000', tick: '1', rules: TRAIL_ONLY }),
      // 59401 × 1.02 = 60589.02 → 60589
      expected: { stop: '60589', rule: 'TRAILING', reason: 'trailing 2% above ask 59401: stop 60589' },
    },
    {
      label: 'rounding onto the bid is rejected',
      // 60000 × 0.9999 = 59994 → tick 10 → 60000, not below the bid
      in: input({ exit: '60000', stop: null, tick: '10', rules: rules({ breakevenAtPct: null, trailingPct: dec('0.01') }) }),
      expected: null,
    },
    {
      label: 'ATR trail tighter than the % trail wins',
      in: input({ exit: '63000', stop: '60120', atr: '300', rules: rules({ trailingAtrMult: dec(2) }) }),
      expected: { stop: '62400', rule: 'TRAILING', reason: 'trailing 2×ATR (ATR 300) below bid 63000: stop 62400' },
    },
    {
      label: '% trail tighter than the ATR trail wins',
      in: input({ exit: '63000', stop: '60120', atr: '1000', rules: rules({ trailingAtrMult: dec(2) }) }),
      expected: { stop: '61740', rule: 'TRAILING', reason: 'trailing 2% below bid 63000: stop 61740' },
    },
    {
      label: 'SHORT ATR trail',
      in: input({ side: 'SHORT', exit: '57000', stop: '59880', atr: '250', rules: rules({ trailingPct: null, trailingAtrMult: dec('1.5') }) }),
      expected: { stop: '57375', rule: 'TRAILING', reason: 'trailing 1.5×ATR (ATR 250) above ask 57000: stop 57375' },
    },
    {
      label: 'ATR trail without an ATR does nothing',
      in: input({ exit: '63000', stop: '60120', rules: rules({ breakevenAtPct: null, trailingPct: null, trailingAtrMult: dec(2) }) }),
      expected: null,
    },
  ])('$label', run)
})

describe('manageStop: time tightening', () => {
  test.each<Row>([
    {
      label: 'exactly at the age limit',
      in: input({ exit: '61000', stop: '59000', now: 240 * MIN, rules: TIME_ONLY }),
      expected: { stop: '60390', rule: 'TIME_TIGHTEN', reason: 'open 240 min >= 240 min: stop tightened to at most 1% below bid 61000: 60390' },
    },
    { label: 'one millisecond younger', in: input({ exit: '61000', stop: '59000', now: 240 * MIN - 1, rules: TIME_ONLY }), expected: null },
    {
      label: 'SHORT after the age limit',
      in: input({ side: 'SHORT', exit: '59000', stop: '61000', now: 300 * MIN + 5, rules: TIME_ONLY }),
      expected: { stop: '59590', rule: 'TIME_TIGHTEN', reason: 'open 300 min >= 240 min: stop tightened to at most 1% above ask 59000: 59590' },
    },
    {
      label: 'tighter than breakeven and the trail together',
      in: input({ exit: '61000', stop: '59000', now: 240 * MIN, rules: rules({ tightenAfterMinutes: 240, tightenToPct: dec(1) }) }),
      expected: { stop: '60390', rule: 'TIME_TIGHTEN', reason: 'open 240 min >= 240 min: stop tightened to at most 1% below bid 61000: 60390' },
    },
    {
      label: 'a tie goes to the earlier rule',
      in: input({ exit: '61000', stop: '59000', now: 240 * MIN, rules: { ...TIME_ONLY, trailingPct: dec(1) } }),
      expected: { stop: '60390', rule: 'TRAILING', reason: 'trailing 1% below bid 61000: stop 60390' },
    },
    { label: 'already tighter than the time rule', in: input({ exit: '61000', stop: '60500', now: 240 * MIN, rules: TIME_ONLY }), expected: null },
    { label: 'only an age, no distance: off', in: input({ exit: '61000', stop: '59000', now: 999 * MIN, rules: { ...TIME_ONLY, tightenToPct: null } }), expected: null },
  ])('$label', run)
})

describe('manageStop: inputs that change nothing', () => {
  test.each<Row>([
    { label: 'all rules off', in: input({ exit: '63000', stop: null, rules: rules({ breakevenAtPct: null, trailingPct: null }) }), expected: null },
    { label: 'no exit price', in: input({ exit: '0', stop: null }), expected: null },
  ])('$label', run)

  test('defaults: breakeven at 1% (+0.2%), trail 2%, no ATR trail, no time rule', () => {
    const d = DEFAULT_MANAGEMENT_RULES
    expect([d.breakevenAtPct?.toFixed(), d.breakevenOffsetPct.toFixed(), d.trailingPct?.toFixed()]).toEqual(['1', '0.2', '2'])
    expect([d.trailingAtrMult, d.tightenAfterMinutes, d.tightenToPct]).toEqual([null, null, null])
  })
})

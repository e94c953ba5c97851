import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import {
  aggregateTakeProfit,
  groupAverage,
  groupStop,
  legTakeProfit,
  legTarget,
  roundGroupPrices,
  stopBeyondLegsProblem,
  trailTakeProfit,
} from '@/lib/domain/groups/group-targets'

const leg = (entryQty: string, avgEntryPrice: string) => ({ entryQty: dec(entryQty), avgEntryPrice: dec(avgEntryPrice) })

describe('groupAverage is the VWAP of entry fills', () => {
  test.each([
    // (1×100 + 2×97) / 3 = 294/3 = 98
    { label: '1 @ 100 and 2 @ 97', legs: [leg('1', '100'), leg('2', '97')], out: '98' },
    // (1×100 + 3×96) / 4 = 388/4 = 97
    { label: '1 @ 100 and 3 @ 96', legs: [leg('1', '100'), leg('3', '96')], out: '97' },
    { label: 'an unfilled leg counts for nothing', legs: [leg('0', '50'), leg('2', '100')], out: '100' },
    { label: 'nothing filled', legs: [leg('0', '100')], out: null },
    { label: 'no legs', legs: [], out: null },
  ])('$label → $out', ({ legs, out }) => {
    expect(groupAverage(legs)?.toFixed() ?? null).toBe(out)
  })
})

describe('take-profits', () => {
  test.each([
    { label: 'LONG leg 100 + 2%', got: () => legTakeProfit('LONG', dec(100), dec(2)), out: '102' },
    { label: 'SHORT leg 100 − 2%', got: () => legTakeProfit('SHORT', dec(100), dec(2)), out: '98' },
    // 98 × 1.015 = 99.47
    { label: 'LONG aggregate 98 + 1.5%', got: () => aggregateTakeProfit('LONG', dec(98), dec('1.5')), out: '99.47' },
    // 98 × 0.985 = 96.53
    { label: 'SHORT aggregate 98 − 1.5%', got: () => aggregateTakeProfit('SHORT', dec(98), dec('1.5')), out: '96.53' },
  ])('$label = $out', ({ got, out }) => {
    expect(got().toFixed()).toBe(out)
  })

  test.each([
    { mode: 'PER_LEG', side: 'LONG', legTp: '102', aggTp: '99.47', out: '102' },
    { mode: 'AGGREGATE', side: 'LONG', legTp: '102', aggTp: '99.47', out: '99.47' },
    { mode: 'HYBRID', side: 'LONG', legTp: '102', aggTp: '99.47', out: '99.47' },
    { mode: 'HYBRID', side: 'LONG', legTp: '98.9', aggTp: '99.47', out: '98.9' },
    { mode: 'PER_LEG', side: 'SHORT', legTp: '98', aggTp: '99', out: '98' },
    { mode: 'HYBRID', side: 'SHORT', legTp: '98', aggTp: '99', out: '99' },
  ] as const)('$mode $side (leg $legTp, aggregate $aggTp) → $out', ({ mode, side, legTp, aggTp, out }) => {
    expect(legTarget(mode, side, dec(legTp), dec(aggTp)).toFixed()).toBe(out)
  })
})

describe('groupStop is computed from its basis and never loosened', () => {
  test.each([
    // 100 × 0.9 = 90
    { label: 'LONG first entry 100, 10%', side: 'LONG', basis: 'FIRST_ENTRY', average: '98', current: null, out: '90' },
    // 98 × 0.9 = 88.2
    { label: 'LONG average 98, 10%', side: 'LONG', basis: 'AVERAGE', average: '98', current: null, out: '88.2' },
    // a DCA fill lowered the average to 98: 88.2 would loosen the stop at 90, which stays
    { label: 'LONG: a DCA fill lowering the average keeps the old stop', side: 'LONG', basis: 'AVERAGE', average: '98', current: '90', out: '90' },
    // 102 × 0.9 = 91.8 > 90
    { label: 'LONG: a higher average tightens it', side: 'LONG', basis: 'AVERAGE', average: '102', current: '90', out: '91.8' },
    // 100 × 1.1 = 110
    { label: 'SHORT first entry 100, 10%', side: 'SHORT', basis: 'FIRST_ENTRY', average: '102', current: null, out: '110' },
    // 102 × 1.1 = 112.2 would loosen 110
    { label: 'SHORT: a DCA fill raising the average keeps the old stop', side: 'SHORT', basis: 'AVERAGE', average: '102', current: '110', out: '110' },
    // 98 × 1.1 = 107.8 < 110
    { label: 'SHORT: a lower average tightens it', side: 'SHORT', basis: 'AVERAGE', average: '98', current: '110', out: '107.8' },
  ] as const)('$label → $out', ({ side, basis, average, current, out }) => {
    const stop = groupStop({ side, basis, average: dec(average), firstEntry: dec(100), stopPct: dec(10), current: current === null ? null : dec(current) })
    expect(stop.toFixed()).toBe(out)
  })
})

describe('stopBeyondLegsProblem', () => {
  test.each([
    { label: 'LONG stop below the deepest leg', side: 'LONG', stop: '90', deepest: '94.63', problem: null },
    { label: 'LONG stop above the deepest leg', side: 'LONG', stop: '95', deepest: '94.63', problem: /the stop 95 is at or above the deepest leg's price 94\.63/ },
    { label: 'LONG stop at the deepest leg', side: 'LONG', stop: '94.63', deepest: '94.63', problem: /put the stop below 94\.63/ },
    { label: 'SHORT stop above the deepest leg', side: 'SHORT', stop: '110', deepest: '105.37', problem: null },
    { label: 'SHORT stop below the deepest leg', side: 'SHORT', stop: '105', deepest: '105.37', problem: /the stop 105 is at or below .* put the stop above 105\.37/ },
  ] as const)('$label', ({ side, stop, deepest, problem }) => {
    const got = stopBeyondLegsProblem(side, dec(stop), dec(deepest))
    if (problem === null) expect(got).toBeNull()
    else expect(got).toMatch(problem)
  })
})

describe('roundGroupPrices rounds toward the market', () => {
  test.each([
    // LONG: stop up (smaller loss), target down (fills sooner)
    { side: 'LONG', stop: '88.234', target: '99.477', out: { stop: '88.24', targets: ['99.47'] } },
    // SHORT: stop down, target up
    { side: 'SHORT', stop: '112.236', target: '96.531', out: { stop: '112.23', targets: ['96.54'] } },
  ] as const)('$side', ({ side, stop, target, out }) => {
    const r = roundGroupPrices(side, { stop: dec(stop), targets: [dec(target)] }, dec('0.01'))
    expect({ stop: r.stop.toFixed(), targets: r.targets.map((t) => t.toFixed()) }).toEqual(out)
  })
})

describe('trailTakeProfit follows the best mark once the target is reached', () => {
  // LONG, activation 101, deviation 1%: the exit line is 1% under the peak.
  test.each([
    { label: 'below activation: nothing', peak: null, mark: '100.99', out: { peak: null, exit: false } },
    { label: 'reaching activation starts the peak', peak: null, mark: '101', out: { peak: '101', exit: false } },
    { label: 'a higher mark raises the peak', peak: '101', mark: '103', out: { peak: '103', exit: false } },
    // 103 × 0.99 = 101.97: 101.98 is above the line
    { label: 'a small pullback holds', peak: '103', mark: '101.98', out: { peak: '103', exit: false } },
    { label: 'a pullback to the line exits', peak: '103', mark: '101.97', out: { peak: '103', exit: true } },
    // once active it stays active below the activation price (a gap down exits at once)
    { label: 'a gap below activation exits', peak: '101.5', mark: '99', out: { peak: '101.5', exit: true } },
  ])('LONG: $label', ({ peak, mark, out }) => {
    const r = trailTakeProfit({ side: 'LONG', activation: dec(101), deviationPct: dec(1), peak: peak === null ? null : dec(peak), mark: dec(mark) })
    expect({ peak: r.peak?.toFixed() ?? null, exit: r.exit }).toEqual(out)
  })
  // SHORT, activation 99, deviation 2%: the line is 2% over the lowest mark; 97 × 1.02 = 98.94.
  test.each([
    { peak: null, mark: '99.01', out: { peak: null, exit: false } },
    { peak: null, mark: '98', out: { peak: '98', exit: false } },
    { peak: '98', mark: '97', out: { peak: '97', exit: false } },
    { peak: '97', mark: '98.93', out: { peak: '97', exit: false } },
    { peak: '97', mark: '98.94', out: { peak: '97', exit: true } },
  ])('SHORT: peak $peak, mark $mark', ({ peak, mark, out }) => {
    const r = trailTakeProfit({ side: 'SHORT', activation: dec(99), deviationPct: dec(2), peak: peak === null ? null : dec(peak), mark: dec(mark) })
    expect({ peak: r.peak?.toFixed() ?? null, exit: r.exit }).toEqual(out)
  })
})

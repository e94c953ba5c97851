import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { groupOpenPnl, pickLoser, planOffset, type OffsetWinner } from '@/lib/domain/groups/risk-offset'

const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 12, minute))
const winner = (id: string, o: Partial<OffsetWinner> & Pick<OffsetWinner, 'avgEntry' | 'mark' | 'openQty'>): OffsetWinner => ({
  id, side: 'LONG', createdAt: at(0), stepSize: dec('0.001'), feeRate: dec('0.001'), ...o,
})

describe('groupOpenPnl', () => {
  test.each([
    // (54000 − 60000) × 0.5 = −3000; −6000 / 60000 = −10%
    { side: 'LONG' as const, avg: '60000', mark: '54000', qty: '0.5', pnl: '-3000', pct: '-10' },
    // SHORT: (3000 − 2850) × 2 = 300; 150 / 3000 = 5%
    { side: 'SHORT' as const, avg: '3000', mark: '2850', qty: '2', pnl: '300', pct: '5' },
    { side: 'LONG' as const, avg: '100', mark: '90', qty: '0', pnl: '0', pct: '0' },
  ])('$side $qty from $avg at $mark: $pnl ($pct%)', ({ side, avg, mark, qty, pnl, pct }) => {
    const r = groupOpenPnl({ side, avgEntry: dec(avg), mark: dec(mark), openQty: dec(qty) })
    expect([r.pnl.toFixed(), r.pnlPct.toFixed()]).toEqual([pnl, pct])
  })
})

describe('pickLoser: deepest loss %, then largest loss, then oldest, then id', () => {
  test.each([
    { name: 'by loss %', groups: [{ id: 'a', pnl: '-500', pnlPct: '-6', createdAt: at(0) }, { id: 'b', pnl: '-50', pnlPct: '-9', createdAt: at(5) }], loser: 'b' },
    { name: 'equal %: the larger loss', groups: [{ id: 'a', pnl: '-50', pnlPct: '-8', createdAt: at(0) }, { id: 'b', pnl: '-80', pnlPct: '-8', createdAt: at(5) }], loser: 'b' },
    { name: 'equal loss: the older', groups: [{ id: 'b', pnl: '-80', pnlPct: '-8', createdAt: at(5) }, { id: 'a', pnl: '-80', pnlPct: '-8', createdAt: at(1) }], loser: 'a' },
    { name: 'none', groups: [], loser: null },
  ])('$name', ({ groups, loser }) => {
    const picked = pickLoser(groups.map((g) => ({ ...g, pnl: dec(g.pnl), pnlPct: dec(g.pnlPct) })))
    expect(picked?.id ?? null).toBe(loser)
  })
})

describe('planOffset', () => {
  test('the most profitable winner first, the quantity rounded up to its step, then the next winner for what is missing', () => {
    // A: (110 − 100) × 5 = 50 profit, nets 10 − 0.11 = 9.89 a unit. B: (22 − 20) × 10 = 20, nets 2 − 0.022 = 1.978.
    // Loss 60: A covers at most 5 × 9.89 = 49.45 (all of it); missing 10.55 / 1.978 = 5.3336… → 5.334 of B,
    // realizing 5.334 × 1.978 = 10.550652. Covered 49.45 + 10.550652 = 60.000652.
    const plan = planOffset({
      loss: dec(60),
      maxWinners: 3,
      winners: [winner('B', { avgEntry: dec(20), mark: dec(22), openQty: dec(10) }), winner('A', { avgEntry: dec(100), mark: dec(110), openQty: dec(5) })],
    })
    expect(plan.steps.map((s) => [s.groupId, s.qty.toFixed(), s.netPerUnit.toFixed(), s.realized.toFixed()])).toEqual([
      ['A', '5', '9.89', '49.45'],
      ['B', '5.334', '1.978', '10.550652'],
    ])
    expect([plan.covered.toFixed(), plan.fullyCovered]).toEqual(['60.000652', true])
  })

  test('one winner is enough: only part of it is sold', () => {
    // 30 / 9.89 = 3.0333… → 3.034 (step 0.001): 3.034 × 9.89 = 30.00626.
    const plan = planOffset({ loss: dec(30), maxWinners: 3, winners: [winner('A', { avgEntry: dec(100), mark: dec(110), openQty: dec(5) }), winner('B', { avgEntry: dec(20), mark: dec(22), openQty: dec(10) })] })
    expect(plan.steps.map((s) => [s.groupId, s.qty.toFixed(), s.realized.toFixed()])).toEqual([['A', '3.034', '30.00626']])
    expect(plan.fullyCovered).toBe(true)
  })

  test('maxWinners caps the winners taken; what they cannot cover is reported, not guessed at', () => {
    const plan = planOffset({ loss: dec(60), maxWinners: 1, winners: [winner('A', { avgEntry: dec(100), mark: dec(110), openQty: dec(5) }), winner('B', { avgEntry: dec(20), mark: dec(22), openQty: dec(10) })] })
    expect(plan.steps.map((s) => s.groupId)).toEqual(['A'])
    expect([plan.covered.toFixed(), plan.fullyCovered]).toEqual(['49.45', false])
  })

  test('a winner whose profit the exit fee eats is not used; a SHORT winner buys back below its average', () => {
    // C: (100.05 − 100) − 100.05 × 0.001 = −0.05005: not a winner after the fee.
    // D SHORT: (50 − 45) − 45 × 0.001 = 4.955 a unit; 10 / 4.955 = 2.0181… → 2.02 (step 0.01): 2.02 × 4.955 = 10.0091.
    const plan = planOffset({
      loss: dec(10),
      maxWinners: 3,
      winners: [winner('C', { avgEntry: dec(100), mark: dec('100.05'), openQty: dec(100) }), winner('D', { side: 'SHORT', avgEntry: dec(50), mark: dec(45), openQty: dec(4), stepSize: dec('0.01') })],
    })
    expect(plan.steps.map((s) => [s.groupId, s.qty.toFixed(), s.netPerUnit.toFixed(), s.realized.toFixed()])).toEqual([['D', '2.02', '4.955', '10.0091']])
  })
})

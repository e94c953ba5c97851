import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { groupPnlPct, rankQueue, slotsUsed, type QueueCandidate } from '@/lib/domain/groups/pool-queue'

const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 12, minute))
const entry = (id: string, o: Partial<Omit<QueueCandidate, 'id'>> = {}): QueueCandidate => ({
  id,
  continuation: false,
  pairPnlPct: dec(0),
  replacements: 0,
  queuedAt: at(0),
  ...o,
})

describe('rankQueue: continuation, then the deepest loss of the pair, then replacements, then arrival', () => {
  test.each([
    {
      name: 'a continuation goes first, whatever the others',
      entries: [entry('new-deep-loss', { pairPnlPct: dec('-9'), replacements: 5, queuedAt: at(0) }), entry('pyramid', { continuation: true, queuedAt: at(30) })],
      order: ['pyramid', 'new-deep-loss'],
    },
    {
      name: 'the pair losing most goes first: -4.5 before -1.25 before none',
      entries: [entry('none', { queuedAt: at(0) }), entry('small', { pairPnlPct: dec('-1.25'), queuedAt: at(1) }), entry('deep', { pairPnlPct: dec('-4.5'), queuedAt: at(2) })],
      order: ['deep', 'small', 'none'],
    },
    {
      name: 'a profit is no loss: +3% ranks like a pair with nothing open, so the replacements decide',
      entries: [entry('winning', { pairPnlPct: dec('3') }), entry('replaced-twice', { replacements: 2 })],
      order: ['replaced-twice', 'winning'],
    },
    {
      name: 'with equal losses, the pair replaced more often goes first',
      entries: [entry('once', { pairPnlPct: dec('-2'), replacements: 1, queuedAt: at(0) }), entry('thrice', { pairPnlPct: dec('-2'), replacements: 3, queuedAt: at(5) })],
      order: ['thrice', 'once'],
    },
    {
      name: 'all else equal, the earliest arrival, then the id',
      entries: [entry('b', { queuedAt: at(3) }), entry('c', { queuedAt: at(1) }), entry('a', { queuedAt: at(3) })],
      order: ['c', 'a', 'b'],
    },
  ])('$name', ({ entries, order }) => {
    const given = entries.map((e) => e.id)
    expect(rankQueue(entries).map((e) => e.id)).toEqual(order)
    // The input is left in its order.
    expect(entries.map((e) => e.id)).toEqual(given)
  })
})

describe('slotsUsed', () => {
  test.each([
    { name: 'one slot per open group when pyramids do not take one', pyramids: [1, 3, 2], takeSlot: false, promoted: 0, used: 3 },
    { name: 'one per pyramid when they do', pyramids: [1, 3, 2], takeSlot: true, promoted: 0, used: 6 },
    { name: 'a group still planning its first pyramid counts one', pyramids: [0], takeSlot: true, promoted: 0, used: 1 },
    { name: 'promoted entries not carried out yet hold their slots', pyramids: [2], takeSlot: false, promoted: 2, used: 3 },
    { name: 'nothing open', pyramids: [], takeSlot: true, promoted: 0, used: 0 },
  ])('$name: $used', ({ pyramids, takeSlot, promoted, used }) => {
    expect(slotsUsed({ pyramidsPerOpenGroup: pyramids, pyramidsTakeSlot: takeSlot, promotedPending: promoted })).toBe(used)
  })
})

describe('groupPnlPct', () => {
  test.each([
    // (57000 − 60000) / 60000 × 100 = −5
    { side: 'LONG' as const, avg: '60000', mark: '57000', pct: '-5' },
    // SHORT gains when the price falls: −(2940 − 3000) / 3000 × 100 = 2
    { side: 'SHORT' as const, avg: '3000', mark: '2940', pct: '2' },
    // (150.3 − 150) / 150 × 100 = 0.2
    { side: 'LONG' as const, avg: '150', mark: '150.3', pct: '0.2' },
  ])('$side from $avg at $mark: $pct%', ({ side, avg, mark, pct }) => {
    expect(groupPnlPct(side, dec(avg), dec(mark)).toFixed()).toBe(pct)
  })
})

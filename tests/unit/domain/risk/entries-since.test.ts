import { describe, expect, it } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { entriesBetween, entryTotals, readsEntryTimes, withEntriesSince } from '@/lib/domain/risk/entries-since'
import { checkOrderRisk, type RiskState } from '@/lib/domain/risk/check-order-risk'

const read: RiskState = {
  equity: dec('10000'), openPositions: 2, exposureQuote: dec('1500.5'), dailyPnl: dec('-12.25'), drawdownPct: dec('1.5'),
  tradesToday: 7, lastEntryAtBySymbol: { 'BTC/USDT': 1_000 }, consecutiveLosses: 1, recentEntries: [{ symbol: 'BTC/USDT', side: 'LONG', at: 1_000 }],
}

describe('entries committed after a read', () => {
  it('are what the totals grew by: an entry that opened a position and a pyramid added to an open group', () => {
    const then = { entries: 40, openedPositions: 31, notional: dec('9000.1') }
    const now = [entryTotals({ notional: dec('100.01') }), entryTotals({ notional: dec('250'), opensPosition: false })].reduce(
      (t, e) => ({ entries: t.entries + e.entries, openedPositions: t.openedPositions + e.openedPositions, notional: t.notional.plus(e.notional) }),
      then,
    )
    expect(entriesBetween(then, now)).toEqual({ entries: 2, openedPositions: 1, notional: dec('350.01') })
  })

  it('count into the state read: positions, exposure and entries today; the rest stays as read', () => {
    const since = { entries: 3, openedPositions: 2, notional: dec('300.25') }
    expect(withEntriesSince(read, since)).toEqual({ ...read, openPositions: 4, exposureQuote: dec('1800.75'), tradesToday: 10 })
    // Nothing since: the state as read.
    expect(withEntriesSince(read, { entries: 0, openedPositions: 0, notional: dec(0) })).toEqual(read)
  })

  it('make the limits refuse what the read alone would let through', () => {
    const order = { kind: 'ENTRY' as const, symbol: 'ETH/USDT', side: 'LONG' as const, notional: dec('100'), riskAmount: dec('5'), at: 2_000 }
    const limits = { maxConcurrentPositions: 3 }
    const check = (state: RiskState) => checkOrderRisk({ scope: { userBook: 'paper USDT' }, limits, state, intent: order, quoteCurrency: 'USDT' }).violations.map((v) => v.limit)
    expect(check(read)).toEqual([])
    expect(check(withEntriesSince(read, { entries: 1, openedPositions: 1, notional: dec('100') }))).toEqual(['maxConcurrentPositions'])
  })

  it.each([
    ['no limit', {}, false],
    ['a cooldown per symbol', { cooldownMinutes: 15 }, true],
    ['a duplicate window', { duplicateWindowSeconds: 60 }, true],
    ['the counts and amounts only', { maxConcurrentPositions: 3, maxExposureQuote: dec(500), maxTradesPerDay: 9, dailyLossLimitPct: dec(5) }, false],
    ['a cooldown turned off', { cooldownMinutes: null }, false],
  ])('%s: whether the limits look at when each symbol was entered', (_label, limits, reads) => {
    expect(readsEntryTimes(limits)).toBe(reads)
  })
})

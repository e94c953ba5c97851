import { ZERO, type Decimal } from '@/lib/domain/decimal'
import { isEnabled } from '@/lib/domain/risk/limit-check'
import type { RiskLimits } from '@/lib/domain/risk/risk-limits'
import type { RiskState } from '@/lib/domain/risk/risk-state'

/** Running counts of the entries made in a scope (see BookEntryTotals); only their differences mean anything. */
export interface EntryTotals {
  entries: number
  openedPositions: number
  notional: Decimal
}

export const NO_ENTRIES: EntryTotals = Object.freeze({ entries: 0, openedPositions: 0, notional: ZERO })

/** What an entry adds to its scope's totals. */
export function entryTotals(e: { notional: Decimal; opensPosition?: boolean }): EntryTotals {
  return { entries: 1, openedPositions: e.opensPosition === false ? 0 : 1, notional: e.notional }
}

/** The entries counted in `now` and not in `then`. */
export function entriesBetween(then: EntryTotals, now: EntryTotals): EntryTotals {
  return { entries: now.entries - then.entries, openedPositions: now.openedPositions - then.openedPositions, notional: now.notional.minus(then.notional) }
}

/**
 * A scope's state read before `since` entries committed, with them counted: each opened its
 * position (or added to an open group) and made an entry today, and its notional is exposure at
 * the price it was sent at. What they change besides is left as read, as any read leaves what
 * moves after it: the fees their fills paid (equity, today's PnL) and the moves of the prices.
 * Which symbols they were on is not counted: see readsEntryTimes.
 */
export function withEntriesSince(state: RiskState, since: EntryTotals): RiskState {
  return {
    ...state,
    openPositions: state.openPositions + since.openedPositions,
    exposureQuote: state.exposureQuote.plus(since.notional),
    tradesToday: state.tradesToday + since.entries,
  }
}

/** Whether `limits` look at when each symbol was last entered (which withEntriesSince cannot tell). */
export function readsEntryTimes(limits: RiskLimits): boolean {
  return isEnabled(limits.cooldownMinutes) || isEnabled(limits.duplicateWindowSeconds)
}

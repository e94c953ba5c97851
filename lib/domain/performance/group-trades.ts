import type { Decimal } from '@/lib/domain/decimal'

/** A closed position as one leg of a trade: a position group's legs (same groupId) are one trade. */
export interface ClosedLeg {
  groupId: string | null
  pnl: Decimal
  fees: Decimal
}

/**
 * The trades the closed positions make, newest first as given: a position group's legs are one
 * trade, their PnL and fees summed, in the place (and with the other fields) of its newest leg. A
 * group stopped out with five legs is one loss, for the statistics and the losing streak alike.
 */
export function tradesOfLegs<T extends ClosedLeg>(newestFirst: readonly T[]): T[] {
  const trades: T[] = []
  const placeOf = new Map<string, number>()
  for (const leg of newestFirst) {
    const at = leg.groupId === null ? undefined : placeOf.get(leg.groupId)
    if (at === undefined) {
      if (leg.groupId !== null) placeOf.set(leg.groupId, trades.length)
      trades.push(leg)
      continue
    }
    const t = trades[at]!
    trades[at] = { ...t, pnl: t.pnl.plus(leg.pnl), fees: t.fees.plus(leg.fees) }
  }
  return trades
}

import { dec, type Decimal } from '@/lib/domain/decimal'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'

/** An entry waiting for a slot in the group pool, with what ranks it. */
export interface QueueCandidate {
  id: string
  /** A pyramid for a group that is open: it continues a trade rather than starting one. */
  continuation: boolean
  /** The pair's current PnL % on the user's open groups (0 when none is open); only a loss ranks. */
  pairPnlPct: Decimal
  /** How often a newer signal for the pair replaced the waiting one. */
  replacements: number
  queuedAt: Date
}

/**
 * The pool queue's order, best first: a continuation of an open group; then the pair whose open
 * groups lose most (a loss of 0 for none, and for a profit); then the pair replaced most often (its
 * signal keeps firing); then the earliest to arrive; the id settles the rest, so the order is total.
 */
export function rankQueue<T extends QueueCandidate>(entries: readonly T[]): T[] {
  const loss = (e: QueueCandidate) => (e.pairPnlPct.lt(0) ? e.pairPnlPct : dec(0))
  return [...entries].sort(
    (a, b) =>
      Number(b.continuation) - Number(a.continuation) ||
      loss(a).comparedTo(loss(b)) ||
      b.replacements - a.replacements ||
      a.queuedAt.getTime() - b.queuedAt.getTime() ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  )
}

/**
 * Slots an open group takes: one, or one per pyramid when pyramids take slots too. The pool is full
 * when the open groups' slots, with the promoted entries not carried out yet, reach the cap.
 */
export function slotsUsed(o: { pyramidsPerOpenGroup: readonly number[]; pyramidsTakeSlot: boolean; promotedPending: number }): number {
  const groups = o.pyramidsPerOpenGroup.reduce((n, p) => n + (o.pyramidsTakeSlot ? Math.max(1, p) : 1), 0)
  return groups + o.promotedPending
}

/** Unrealized PnL % of a group at a mark: from the average entry, in the group's direction. */
export function groupPnlPct(side: PositionSide, avgEntry: Decimal, mark: Decimal): Decimal {
  const move = mark.minus(avgEntry).div(avgEntry).mul(100)
  return side === 'LONG' ? move : move.neg()
}

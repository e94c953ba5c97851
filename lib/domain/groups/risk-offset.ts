import { minDec, sumDec, ZERO, type Decimal } from '@/lib/domain/decimal'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'

/** An open group as the risk engine weighs it: what it holds, at what average, priced at its exit side. */
export interface WeighedGroup {
  id: string
  side: PositionSide
  avgEntry: Decimal
  openQty: Decimal
  /** The price it would sell (LONG: the bid) or buy back (SHORT: the ask) at now. */
  mark: Decimal
  createdAt: Date
}

/** Unrealized PnL at the mark, and as % of what the holding cost at its average. */
export function groupOpenPnl(g: Pick<WeighedGroup, 'side' | 'avgEntry' | 'openQty' | 'mark'>): { pnl: Decimal; pnlPct: Decimal } {
  if (g.openQty.isZero() || g.avgEntry.isZero()) return { pnl: ZERO, pnlPct: ZERO }
  const perUnit = g.side === 'LONG' ? g.mark.minus(g.avgEntry) : g.avgEntry.minus(g.mark)
  return { pnl: perUnit.mul(g.openQty), pnlPct: perUnit.div(g.avgEntry).mul(100) }
}

/** The loser to offset first: the deepest loss %, then the largest loss, then the oldest group, then the id. */
export function pickLoser<T extends { id: string; pnl: Decimal; pnlPct: Decimal; createdAt: Date }>(eligible: readonly T[]): T | null {
  const sorted = [...eligible].sort(
    (a, b) => a.pnlPct.comparedTo(b.pnlPct) || a.pnl.comparedTo(b.pnl) || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  )
  return sorted[0] ?? null
}

export interface OffsetWinner extends WeighedGroup {
  /** The market's quantity step: a partial close is a whole number of steps. */
  stepSize: Decimal
  /** The taker fee rate the exit pays (0.001 = 0.1%). */
  feeRate: Decimal
}

export interface OffsetStep {
  groupId: string
  qty: Decimal
  /** The exit-side price it is planned at, and what one unit realizes there net of the exit fee. */
  price: Decimal
  netPerUnit: Decimal
  realized: Decimal
}

/**
 * Which winners to take profit from, and how much of each, to cover `loss` (a positive amount):
 * the most profitable first, up to `maxWinners`; from each, the quantity (rounded up to its step,
 * at most what it holds) whose profit net of the exit fee covers what is still missing. Each unit
 * realizes (mark − average) for a LONG, (average − mark) for a SHORT, less mark × fee rate.
 * `fullyCovered` is false when all of the chosen winners together cannot cover the loss.
 */
export function planOffset(o: { loss: Decimal; winners: readonly OffsetWinner[]; maxWinners: number }): { steps: OffsetStep[]; covered: Decimal; fullyCovered: boolean } {
  const ranked = o.winners
    .map((w) => ({ w, net: netPerUnit(w), pnl: groupOpenPnl(w).pnl }))
    .filter((x) => x.net.gt(0) && x.w.openQty.gt(0))
    .sort((a, b) => b.pnl.comparedTo(a.pnl) || (a.w.id < b.w.id ? -1 : 1))
    .slice(0, o.maxWinners)
  const steps: OffsetStep[] = []
  let missing = o.loss
  for (const { w, net } of ranked) {
    if (missing.lte(0)) break
    const wanted = missing.div(net).div(w.stepSize).ceil().mul(w.stepSize)
    const qty = minDec(wanted, w.openQty)
    const realized = qty.mul(net)
    steps.push({ groupId: w.id, qty, price: w.mark, netPerUnit: net, realized })
    missing = missing.minus(realized)
  }
  const covered = sumDec(steps.map((x) => x.realized))
  return { steps, covered, fullyCovered: covered.gte(o.loss) }
}

function netPerUnit(w: OffsetWinner): Decimal {
  const gross = w.side === 'LONG' ? w.mark.minus(w.avgEntry) : w.avgEntry.minus(w.mark)
  return gross.minus(w.mark.mul(w.feeRate))
}

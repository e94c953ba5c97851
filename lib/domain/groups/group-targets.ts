import { dec, maxDec, minDec, sumDec, type Decimal } from '@/lib/domain/decimal'
import { priceRoundingFor, roundPriceToTick } from '@/lib/domain/market/precision'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'

export const TAKE_PROFIT_MODES = ['PER_LEG', 'AGGREGATE', 'HYBRID'] as const
export type TakeProfitMode = (typeof TAKE_PROFIT_MODES)[number]
export const STOP_BASES = ['AVERAGE', 'FIRST_ENTRY'] as const
export type StopBasis = (typeof STOP_BASES)[number]

const ONE = dec(1)
const HUNDRED = dec(100)

/** price moved pct% in the position's favour (toward profit), or against it. */
function movedPct(side: PositionSide, price: Decimal, pct: Decimal, toward: 'PROFIT' | 'LOSS'): Decimal {
  const up = (side === 'LONG') === (toward === 'PROFIT')
  const offset = pct.div(HUNDRED)
  return price.mul(up ? ONE.plus(offset) : ONE.minus(offset))
}

/**
 * The group's average entry: the VWAP of every entry fill across its legs. Pass what each leg
 * bought (entryQty), not what it still holds: a leg's exit does not change what the group paid.
 * Null while nothing has filled.
 */
export function groupAverage(legs: readonly { entryQty: Decimal; avgEntryPrice: Decimal }[]): Decimal | null {
  const filled = legs.filter((l) => l.entryQty.gt(0))
  const qty = sumDec(filled.map((l) => l.entryQty))
  if (qty.isZero()) return null
  return sumDec(filled.map((l) => l.entryQty.mul(l.avgEntryPrice))).div(qty)
}

/** A leg's own take-profit: its fill price × (1 ± pct/100). */
export function legTakeProfit(side: PositionSide, fillPrice: Decimal, pct: Decimal): Decimal {
  return movedPct(side, fillPrice, pct, 'PROFIT')
}

/** The group's take-profit: its average entry × (1 ± pct/100). */
export function aggregateTakeProfit(side: PositionSide, average: Decimal, pct: Decimal): Decimal {
  return movedPct(side, average, pct, 'PROFIT')
}

/** Where a leg exits in profit; HYBRID takes whichever target the market reaches first. */
export function legTarget(mode: TakeProfitMode, side: PositionSide, legTp: Decimal, aggregateTp: Decimal): Decimal {
  switch (mode) {
    case 'PER_LEG':
      return legTp
    case 'AGGREGATE':
      return aggregateTp
    case 'HYBRID':
      return side === 'LONG' ? minDec(legTp, aggregateTp) : maxDec(legTp, aggregateTp)
  }
}

/**
 * The group's stop, pct% against the position from its basis price. It is only ever tightened:
 * a DCA fill that moves the average away from the market must not move a stop the trader
 * already relies on further away.
 */
export function groupStop(o: {
  side: PositionSide
  basis: StopBasis
  average: Decimal
  firstEntry: Decimal
  stopPct: Decimal
  current: Decimal | null
}): Decimal {
  const computed = movedPct(o.side, o.basis === 'AVERAGE' ? o.average : o.firstEntry, o.stopPct, 'LOSS')
  if (o.current === null) return computed
  return o.side === 'LONG' ? maxDec(o.current, computed) : minDec(o.current, computed)
}

/**
 * Why a stop would defeat the grid: a LONG stop at or above the deepest leg's price closes the
 * group before that leg can fill (a SHORT one at or below it, mirrored). Null when it is beyond.
 */
export function stopBeyondLegsProblem(side: PositionSide, stop: Decimal, deepestLegPrice: Decimal): string | null {
  const long = side === 'LONG'
  if (long ? stop.lt(deepestLegPrice) : stop.gt(deepestLegPrice)) return null
  const where = long ? 'below' : 'above'
  return (
    `the stop ${stop.toFixed()} is at or ${long ? 'above' : 'below'} the deepest leg's price ${deepestLegPrice.toFixed()}: ` +
    `it would close the group before that leg could fill; put the stop ${where} ${deepestLegPrice.toFixed()} or use fewer or closer legs`
  )
}

/** Stop and targets on the tick grid, each rounded toward the market (a smaller loss, a sooner fill). */
export function roundGroupPrices(
  side: PositionSide,
  prices: { stop: Decimal; targets: readonly Decimal[] },
  tick: Decimal,
): { stop: Decimal; targets: Decimal[] } {
  return {
    stop: roundPriceToTick(prices.stop, tick, priceRoundingFor(side, 'STOP')),
    targets: prices.targets.map((t) => roundPriceToTick(t, tick, priceRoundingFor(side, 'TAKE_PROFIT'))),
  }
}

/**
 * Trailing take-profit (3Commas'): once the mark reaches the activation price (the aggregate
 * target), the best mark since is kept as the peak; the group exits when the mark falls
 * `deviationPct` back from it (a SHORT mirrored: the lowest mark, and a rise). Before activation
 * there is no peak and no exit.
 */
export function trailTakeProfit(o: { side: PositionSide; activation: Decimal; deviationPct: Decimal; peak: Decimal | null; mark: Decimal }): { peak: Decimal | null; exit: boolean } {
  const long = o.side === 'LONG'
  const reached = o.peak !== null || (long ? o.mark.gte(o.activation) : o.mark.lte(o.activation))
  if (!reached) return { peak: null, exit: false }
  const peak = o.peak === null ? o.mark : long ? maxDec(o.peak, o.mark) : minDec(o.peak, o.mark)
  const share = o.deviationPct.div(100)
  const exit = long ? o.mark.lte(peak.mul(dec(1).minus(share))) : o.mark.gte(peak.mul(dec(1).plus(share)))
  return { peak, exit }
}

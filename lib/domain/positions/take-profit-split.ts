import { sumDec, type Decimal } from '@/lib/domain/decimal'
import { DomainError } from '@/lib/domain/errors'
import { truncateQtyToStep } from '@/lib/domain/market/precision'

/**
 * Quantity for each take-profit level: its share of `openQty`, truncated to the step. When the
 * shares add up to exactly 100 the last level takes whatever the others leave, so the targets
 * close the whole position with no dust; with less than 100 the rest stays open for the stop.
 * A level may come out as 0 when its share is smaller than one step; the caller skips it.
 */
export function splitTakeProfitQty(
  openQty: Decimal,
  levels: readonly { sharePct: Decimal }[],
  step: Decimal,
): Decimal[] {
  const totalShare = sumDec(levels.map((l) => l.sharePct))
  if (totalShare.gt(100) || levels.some((l) => l.sharePct.isNeg())) {
    // validateProtection rejects these before any position exists.
    throw new DomainError(
      'INVALID_TAKE_PROFIT_SHARES',
      `take profit shares must each be at least 0% and add up to at most 100%, got ${totalShare.toFixed()}%`,
      { totalShare: totalShare.toFixed() },
    )
  }
  const quantities = levels.map((l) => truncateQtyToStep(openQty.mul(l.sharePct).div(100), step))
  if (levels.length > 0 && totalShare.eq(100)) {
    const allButLast = sumDec(quantities.slice(0, -1))
    quantities[quantities.length - 1] = openQty.minus(allButLast)
  }
  return quantities
}

/**
 * Whether the one active level left of a plan (levels not canceled, filled ones included) takes
 * whatever remains of the position: it is the last, and the plan's shares add up to 100% or more.
 */
export function lastLevelTakesRest(levels: { status: string; sharePct: Decimal }[]): boolean {
  return levels.filter((l) => l.status === 'ACTIVE').length === 1 && sumDec(levels.map((l) => l.sharePct)).gte(100)
}

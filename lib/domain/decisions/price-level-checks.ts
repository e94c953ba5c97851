import { sumDec, type Decimal } from '@/lib/domain/decimal'
import { priceRoundingFor, roundPriceToTick, type PriceKind } from '@/lib/domain/market/precision'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'
import { minTargetDistancePct, type DecisionSettings } from './decision-settings'
import { distancePct, formatPct } from './decision-values'
import type { Check } from './validation-result'

/** What stops and targets are measured from: the entry reference for an entry, the exit price for a change. */
export interface PriceReference {
  price: Decimal
  /** e.g. 'the entry reference', 'the exit price' */
  label: string
}

/** A stop or target as it would be placed, with how it was derived (for messages). */
export interface ProposedPrice {
  /** e.g. 'stop loss', 'take profit 2' */
  label: string
  price: Decimal
  /** e.g. '(rounded from 60799.995)' */
  note?: string
}

/** Onto the tick grid toward the side that never hurts the user (see priceRoundingFor). */
export function roundForSide(price: Decimal, side: PositionSide, kind: PriceKind, tick: Decimal): Decimal {
  return roundPriceToTick(price, tick, priceRoundingFor(side, kind))
}

export function roundingNote(given: Decimal, rounded: Decimal): string | undefined {
  return given.eq(rounded) ? undefined : `(rounded from ${given.toFixed()})`
}

export function describePrice(p: ProposedPrice): string {
  return `${p.label} ${p.price.toFixed()}${p.note ? ` ${p.note}` : ''}`
}

export interface DistanceLimit {
  name: string
  bound: Decimal
  isMax: boolean
  /** Why the bound exists, for the message: ' to cover round-trip fees'. */
  reason?: string
}

/** A stop: below the reference for a LONG (above for a SHORT), at most maxStopDistancePct away. */
export function checkStopPrice(side: PositionSide, stop: ProposedPrice, ref: PriceReference, settings: DecisionSettings): Check[] {
  return checkLevel(side, 'STOP', stop, ref, [{ name: 'max stop distance', bound: settings.maxStopDistancePct, isMax: true }])
}

/** A target: above the reference for a LONG (below for a SHORT), far enough to pay the fees, not absurdly far. */
export function checkTargetPrice(side: PositionSide, tp: ProposedPrice, ref: PriceReference, settings: DecisionSettings): Check[] {
  return checkLevel(side, 'TAKE_PROFIT', tp, ref, [
    { name: 'min target distance', bound: minTargetDistancePct(settings), isMax: false, reason: ' to cover round-trip fees' },
    { name: 'max target distance', bound: settings.maxTargetDistancePct, isMax: true },
  ])
}

function checkLevel(
  side: PositionSide,
  kind: 'STOP' | 'TAKE_PROFIT',
  p: ProposedPrice,
  ref: PriceReference,
  limits: DistanceLimit[],
): Check[] {
  // Stops sit on the losing side of the reference, targets on the winning side.
  const below = (side === 'LONG') === (kind === 'STOP')
  const where = below ? 'below' : 'above'
  const onSide = below ? p.price.lt(ref.price) : p.price.gt(ref.price)
  const sideCheck: Check = {
    name: kind === 'STOP' ? 'stop loss side' : 'take profit side',
    satisfied: onSide,
    currentValue: p.price.toFixed(),
    requiredValue: `${where} ${ref.price.toFixed()}`,
    message: `${describePrice(p)} must be ${where} ${ref.label} ${ref.price.toFixed()} for a ${side}`,
  }
  // On the wrong side a distance means nothing; one clear error is better than three.
  if (!onSide) return [sideCheck]
  const pct = distancePct(p.price, ref.price)
  return [sideCheck, ...limits.map((limit) => checkDistance(p, ref, limit, pct))]
}

/** How far `p` is from `ref`, in percent, against a minimum or maximum. */
export function checkDistance(
  p: ProposedPrice,
  ref: PriceReference,
  limit: DistanceLimit,
  pct = distancePct(p.price, ref.price),
): Check {
  const found = formatPct(pct, limit.bound)
  const bound = formatPct(limit.bound)
  return {
    name: limit.name,
    satisfied: limit.isMax ? pct.lte(limit.bound) : pct.gte(limit.bound),
    currentValue: found,
    requiredValue: `${limit.isMax ? '<=' : '>='} ${bound}`,
    message:
      `${describePrice(p)} is ${found} from ${ref.label} ${ref.price.toFixed()}; ` +
      `the ${limit.isMax ? 'maximum' : 'minimum'}${limit.reason ?? ''} is ${bound}`,
  }
}

/** Targets may together take at most the whole position, counting what filled targets already took. */
export function checkTotalShare(shares: readonly Decimal[], filledSharePct: Decimal): Check {
  const active = sumDec(shares)
  const total = active.plus(filledSharePct)
  const parts = filledSharePct.isZero() ? '' : `${active.toFixed()}% plus ${filledSharePct.toFixed()}% already taken, `
  return {
    name: 'total take profit share',
    satisfied: total.lte(100),
    currentValue: `${total.toFixed()}%`,
    requiredValue: '<= 100%',
    message: `take profit shares add up to ${parts}${total.toFixed()}% of the position; the maximum is 100%`,
  }
}

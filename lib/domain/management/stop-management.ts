import { dec, type Decimal } from '@/lib/domain/decimal'
import { priceRoundingFor, roundPriceToTick } from '@/lib/domain/market/precision'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'

/** Rule-based stop tightening; a null (or, for the time rule, either null) switches a rule off. */
export interface ManagementRules {
  /** Move the stop to entry (+ breakevenOffsetPct, to cover fees) once profit >= this %. */
  breakevenAtPct: Decimal | null
  breakevenOffsetPct: Decimal
  /** Trail this % behind the exit price. */
  trailingPct: Decimal | null
  /** Trail this many ATRs behind the exit price; with trailingPct too, the tighter one counts. */
  trailingAtrMult: Decimal | null
  /** After the position is this old, the stop may be at most tightenToPct % from the price. */
  tightenAfterMinutes: number | null
  tightenToPct: Decimal | null
}

export const DEFAULT_MANAGEMENT_RULES: ManagementRules = {
  breakevenAtPct: dec(1),
  breakevenOffsetPct: dec('0.2'),
  trailingPct: dec(2),
  trailingAtrMult: null,
  tightenAfterMinutes: null,
  tightenToPct: null,
}

export type StopRule = 'BREAKEVEN' | 'TRAILING' | 'TIME_TIGHTEN'

export interface StopManagementInput {
  side: PositionSide
  avgEntryPrice: Decimal
  currentStop: Decimal | null
  /** The price the position would exit at now: bid for a LONG, ask for a SHORT. */
  exitPrice: Decimal
  /** Epoch ms. */
  openedAt: number
  /** Epoch ms. */
  now: number
  atr: Decimal | null
  tickSize: Decimal
  rules: ManagementRules
}

export interface StopAdjustment {
  stop: Decimal
  rule: StopRule
  /** e.g. 'profit 1.2% >= 1%: stop to breakeven 60120' */
  reason: string
}

interface Candidate {
  rule: StopRule
  stop: Decimal
  /** Reason text for the stop once it is on the tick grid. */
  reason: (stop: string) => string
}

const MINUTE_MS = 60_000
const pctText = (d: Decimal) => d.toDecimalPlaces(4).toFixed()

/**
 * The stop the rules want now, or null when nothing changes. Every active rule proposes a
 * candidate; each is rounded to the tick toward the market (the safe side for a stop), and
 * among those still strictly on the loss side of the exit price the tightest (LONG: highest,
 * SHORT: lowest; earlier rule on a tie) is returned, but only if it is strictly tighter than
 * the current stop. A stop therefore never loosens, which is also why trailing needs no
 * high-water mark: it simply ratchets from the current exit price.
 */
export function manageStop(input: StopManagementInput): StopAdjustment | null {
  const { side, currentStop, exitPrice, tickSize } = input
  if (!exitPrice.gt(0)) return null
  const tighter = (a: Decimal, b: Decimal) => (side === 'LONG' ? a.gt(b) : a.lt(b))
  const direction = priceRoundingFor(side, 'STOP')

  let best: StopAdjustment | null = null
  for (const c of [...breakeven(input), ...trailing(input), ...timeTighten(input)]) {
    const stop = roundPriceToTick(c.stop, tickSize, direction)
    const onLossSide = stop.gt(0) && tighter(exitPrice, stop)
    if (!onLossSide || (currentStop !== null && !tighter(stop, currentStop))) continue
    if (best === null || tighter(stop, best.stop)) best = { stop, rule: c.rule, reason: c.reason(stop.toFixed()) }
  }
  return best
}

/** `distance` away from `price` on the position's loss side (negative: the profit side). */
function behind(side: PositionSide, price: Decimal, distance: Decimal): Decimal {
  return side === 'LONG' ? price.minus(distance) : price.plus(distance)
}

function exitLabel(side: PositionSide): string {
  return side === 'LONG' ? 'below bid' : 'above ask'
}

function breakeven({ side, avgEntryPrice, exitPrice, rules }: StopManagementInput): Candidate[] {
  const { breakevenAtPct, breakevenOffsetPct } = rules
  if (breakevenAtPct === null || !avgEntryPrice.gt(0)) return []
  const gain = side === 'LONG' ? exitPrice.minus(avgEntryPrice) : avgEntryPrice.minus(exitPrice)
  const profitPct = gain.div(avgEntryPrice).mul(100)
  if (profitPct.lt(breakevenAtPct)) return []
  const stop = behind(side, avgEntryPrice, avgEntryPrice.mul(breakevenOffsetPct).div(100).neg())
  const offset = breakevenOffsetPct.isZero() ? '' : ` (entry ${avgEntryPrice.toFixed()} ${side === 'LONG' ? '+' : '−'} ${pctText(breakevenOffsetPct)}%)`
  return [
    {
      rule: 'BREAKEVEN',
      stop,
      reason: (s) => `profit ${pctText(profitPct)}% >= ${pctText(breakevenAtPct)}%: stop to breakeven ${s}${offset}`,
    },
  ]
}

/** One candidate per trailing distance; manageStop keeps the tighter. */
function trailing({ side, exitPrice, atr, rules }: StopManagementInput): Candidate[] {
  const { trailingPct, trailingAtrMult } = rules
  const options: Candidate[] = []
  const where = `${exitLabel(side)} ${exitPrice.toFixed()}`
  if (trailingPct !== null) {
    const stop = behind(side, exitPrice, exitPrice.mul(trailingPct).div(100))
    options.push({ rule: 'TRAILING', stop, reason: (s) => `trailing ${pctText(trailingPct)}% ${where}: stop ${s}` })
  }
  if (trailingAtrMult !== null && atr !== null && atr.gt(0)) {
    const stop = behind(side, exitPrice, atr.mul(trailingAtrMult))
    const what = `${trailingAtrMult.toFixed()}×ATR (ATR ${atr.toSignificantDigits(8).toFixed()})`
    options.push({ rule: 'TRAILING', stop, reason: (s) => `trailing ${what} ${where}: stop ${s}` })
  }
  return options
}

function timeTighten({ side, exitPrice, openedAt, now, rules }: StopManagementInput): Candidate[] {
  const { tightenAfterMinutes, tightenToPct } = rules
  if (tightenAfterMinutes === null || tightenToPct === null) return []
  const ageMs = now - openedAt
  if (ageMs < tightenAfterMinutes * MINUTE_MS) return []
  const stop = behind(side, exitPrice, exitPrice.mul(tightenToPct).div(100))
  const age = Math.floor(ageMs / MINUTE_MS)
  return [
    {
      rule: 'TIME_TIGHTEN',
      stop,
      reason: (s) =>
        `open ${age} min >= ${tightenAfterMinutes} min: stop tightened to at most ${pctText(tightenToPct)}% ${exitLabel(side)} ${exitPrice.toFixed()}: ${s}`,
    },
  ]
}

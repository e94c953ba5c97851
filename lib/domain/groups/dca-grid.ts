import { Decimal, dec, maxDec, sumDec, ZERO } from '@/lib/domain/decimal'
import type { FieldError } from '@/lib/domain/field-error'
import {
  checkOrderSize,
  priceRoundingFor,
  roundPriceToTick,
  truncateQtyToStep,
  type MarketRules,
} from '@/lib/domain/market/precision'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'

export const DCA_SIZINGS = ['EQUAL', 'PYRAMID_UP', 'PYRAMID_DOWN', 'VOLUME_SCALE', 'CUSTOM'] as const
export type DcaSizing = (typeof DCA_SIZINGS)[number]

/** Legs of one pyramid, the base leg included. */
export const MAX_GRID_LEGS = 20

/** How one pyramid is laid out: a base leg at the entry price plus legs − 1 DCA legs resting further away. */
export interface GridConfig {
  /** Total legs including the base leg, 1..20. */
  legs: number
  /** Cumulative deviation of each DCA leg from the entry (length legs − 1, strictly increasing, > 0); overrides firstGapPct/stepScale. */
  deviationsPct?: Decimal[]
  /** 3Commas-style: gap_1 = firstGapPct, gap_n = gap_(n−1) × stepScale, deviation_n = gap_1 + … + gap_n. */
  firstGapPct?: Decimal
  /** Default 1 (evenly spaced legs). */
  stepScale?: Decimal
  sizing: DcaSizing
  /** CUSTOM only: one weight per leg, each > 0, summing to exactly 100. */
  weightsPct?: Decimal[]
  /** VOLUME_SCALE only (required there): raw weights [1, r, r·v, r·v², …], as 3Commas' SO_n = SO × v^(n−1). */
  volumeScale?: Decimal
  /** VOLUME_SCALE only: r, the first safety order relative to the base order (default 1). */
  safetyRatio?: Decimal
  /** Each leg's own take-profit distance from its fill price (per-leg mode). */
  legTakeProfitPct: Decimal
}

export interface PlannedLeg {
  /** 0 is the base leg. */
  index: number
  deviationPct: Decimal
  weightPct: Decimal
  price: Decimal
  qty: Decimal
  notional: Decimal
}

export type PyramidPlan = { ok: true; legs: PlannedLeg[]; totalNotional: Decimal } | { ok: false; problems: FieldError[] }

const ONE = dec(1)
const HUNDRED = dec(100)

/** What is wrong with a grid, independent of the market and side; empty when it can be planned. */
export function gridConfigProblems(config: GridConfig): FieldError[] {
  const { legs } = config
  if (!Number.isInteger(legs) || legs < 1 || legs > MAX_GRID_LEGS) {
    return [{ field: 'legs', message: `must be a whole number from 1 to ${MAX_GRID_LEGS}, got ${legs}` }]
  }
  const problems: FieldError[] = []
  const dcaLegs = legs - 1
  const explicit = config.deviationsPct
  if (explicit) {
    const bad = explicit.findIndex((d, i) => !d.gt(i === 0 ? ZERO : explicit[i - 1]))
    if (explicit.length !== dcaLegs) {
      problems.push({ field: 'deviationsPct', message: `${legs} legs need ${dcaLegs} deviations (one per DCA leg); got ${explicit.length}` })
    } else if (bad === 0) {
      problems.push({ field: 'deviationsPct', message: `deviations must be greater than 0; the first is ${explicit[0].toFixed()}` })
    } else if (bad > 0) {
      problems.push({
        field: 'deviationsPct',
        message: `deviations must increase strictly: ${explicit[bad].toFixed()} (leg ${bad + 2}) follows ${explicit[bad - 1].toFixed()}`,
      })
    }
  } else if (dcaLegs > 0) {
    if (!config.firstGapPct?.gt(0)) problems.push({ field: 'firstGapPct', message: 'DCA legs need a first gap greater than 0 (or explicit deviations)' })
    if (config.stepScale && !config.stepScale.gt(0)) problems.push({ field: 'stepScale', message: 'must be greater than 0' })
  }
  switch (config.sizing) {
    case 'CUSTOM': {
      const weights = config.weightsPct ?? []
      const total = sumDec(weights)
      const bad = weights.findIndex((w) => !w.gt(0))
      if (weights.length !== legs || !total.eq(HUNDRED)) {
        problems.push({
          field: 'weightsPct',
          message: `CUSTOM sizing needs ${legs} weights summing to 100; got ${weights.length} summing to ${total.toFixed()}`,
        })
      } else if (bad >= 0) {
        problems.push({ field: 'weightsPct', message: `each weight must be greater than 0; leg ${bad + 1} has ${weights[bad].toFixed()}` })
      }
      break
    }
    case 'VOLUME_SCALE':
      if (!config.volumeScale?.gt(0)) problems.push({ field: 'volumeScale', message: 'VOLUME_SCALE sizing needs a volume scale greater than 0' })
      if (config.safetyRatio && !config.safetyRatio.gt(0)) problems.push({ field: 'safetyRatio', message: 'must be greater than 0' })
      break
    case 'EQUAL':
    case 'PYRAMID_UP':
    case 'PYRAMID_DOWN':
      break
  }
  return problems
}

function assertPlannable(config: GridConfig): void {
  // Callers check gridConfigProblems first (planPyramid does); reaching here with a broken grid is a bug.
  const problems = gridConfigProblems(config)
  if (problems.length > 0) throw new RangeError(problems.map((p) => `${p.field}: ${p.message}`).join('; '))
}

/** Each leg's cumulative deviation from the entry in %, leg 0 (the base leg) being 0. */
export function legDeviations(config: GridConfig): Decimal[] {
  assertPlannable(config)
  if (config.deviationsPct) return [ZERO, ...config.deviationsPct]
  const scale = config.stepScale ?? ONE
  const deviations = [ZERO]
  let gap = config.firstGapPct ?? ZERO
  for (let n = 1; n < config.legs; n++) {
    deviations.push(deviations[n - 1].plus(gap))
    gap = gap.mul(scale)
  }
  return deviations
}

function rawWeights(config: GridConfig): Decimal[] {
  const n = config.legs
  const indexes = Array.from({ length: n }, (_, i) => i)
  switch (config.sizing) {
    case 'EQUAL':
      return indexes.map(() => ONE)
    case 'PYRAMID_UP':
      return indexes.map((i) => dec(i + 1))
    case 'PYRAMID_DOWN':
      return indexes.map((i) => dec(n - i))
    case 'VOLUME_SCALE': {
      const ratio = config.safetyRatio ?? ONE
      const scale = config.volumeScale ?? ONE
      return indexes.map((i) => (i === 0 ? ONE : ratio.mul(scale.pow(i - 1))))
    }
    case 'CUSTOM':
      return config.weightsPct ?? []
  }
}

/**
 * Each leg's share of the pyramid's capital in %, summing to exactly 100: the raw weights are
 * divided exactly (40 digits) and the last leg takes the remainder of the last digit.
 */
export function legWeights(config: GridConfig): Decimal[] {
  assertPlannable(config)
  const raw = rawWeights(config)
  const total = sumDec(raw)
  const head = raw.slice(0, -1).map((w) => w.mul(HUNDRED).div(total))
  return [...head, HUNDRED.minus(sumDec(head))]
}

/** Shown to people: short enough to read, exact for every realistic grid. */
function shown(x: Decimal): string {
  return x.toSignificantDigits(10).toFixed()
}

/** The smallest pyramid capital at which a leg of this weight and price meets the market's minimums. */
function capitalForLeg(rules: MarketRules, price: Decimal, weightPct: Decimal): Decimal {
  const needed = maxDec(rules.minQty, rules.stepSize, rules.minNotional.div(price))
  const onStep = truncateQtyToStep(needed, rules.stepSize)
  const qty = onStep.lt(needed) ? onStep.plus(rules.stepSize) : onStep
  // Rounded up so that the suggestion, entered as is, is enough.
  return qty.mul(price).mul(HUNDRED).div(weightPct).toSignificantDigits(6, Decimal.ROUND_UP)
}

/**
 * Lays out one pyramid and checks every leg against the market now, when it is planned, not
 * when a deep leg is finally placed. Leg 0 is at the entry price (the market reference, not
 * rounded); DCA legs are rounded to the tick away from the market, like any entry limit.
 */
export function planPyramid(o: {
  side: PositionSide
  entryPrice: Decimal
  capitalQuote: Decimal
  config: GridConfig
  rules: MarketRules
}): PyramidPlan {
  const { side, entryPrice, capitalQuote, config, rules } = o
  const problems = gridConfigProblems(config)
  if (!entryPrice.gt(0)) problems.push({ field: 'entryPrice', message: `must be greater than 0, got ${entryPrice.toFixed()}` })
  if (!capitalQuote.gt(0)) problems.push({ field: 'capitalQuote', message: `must be greater than 0, got ${capitalQuote.toFixed()}` })
  if (problems.length > 0) return { ok: false, problems }

  const weights = legWeights(config)
  const legs: PlannedLeg[] = []
  legDeviations(config).forEach((deviationPct, index) => {
    const weightPct = weights[index]
    const label = `leg ${index + 1} (${index === 0 ? 'entry' : `${side === 'LONG' ? '−' : '+'}${shown(deviationPct)}%`})`
    const problem = (message: string) => problems.push({ field: `legs.${index}`, message: `${label}: ${message}` })
    if (side === 'LONG' && deviationPct.gte(HUNDRED)) {
      problem('a LONG leg 100% or more below the entry would have a price of 0 or less; use deviations below 100%')
      return
    }
    const offset = deviationPct.div(HUNDRED)
    const price =
      index === 0
        ? entryPrice
        : roundPriceToTick(
            entryPrice.mul(side === 'LONG' ? ONE.minus(offset) : ONE.plus(offset)),
            rules.tickSize,
            priceRoundingFor(side, 'ENTRY_LIMIT'),
          )
    if (!price.gt(0)) {
      problem(`its price rounds to ${price.toFixed()} at the tick size ${rules.tickSize.toFixed()}; use a smaller deviation`)
      return
    }
    const share = capitalQuote.mul(weightPct).div(HUNDRED)
    const qty = truncateQtyToStep(share.div(price), rules.stepSize)
    const sizeProblems = qty.isZero()
      ? [`its share of the capital, ${shown(share)} ${rules.quote}, buys less than one step (${rules.stepSize.toFixed()} ${rules.base}) at ${price.toFixed()}`]
      : checkOrderSize(rules, qty, price)
    if (sizeProblems.length > 0) {
      problem(`${sizeProblems.join('; ')}; a pyramid capital of at least ${capitalForLeg(rules, price, weightPct).toFixed()} ${rules.quote} would make it large enough`)
      return
    }
    legs.push({ index, deviationPct, weightPct, price, qty, notional: qty.mul(price) })
  })
  if (problems.length > 0) return { ok: false, problems }
  return { ok: true, legs, totalNotional: sumDec(legs.map((l) => l.notional)) }
}

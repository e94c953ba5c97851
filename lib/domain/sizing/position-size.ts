import { dec, maxDec, minDec, ZERO, type Decimal } from '@/lib/domain/decimal'

/** How a trader turns a decision into a position size. Percentages are 0..100. */
export type SizingMode =
  | { mode: 'FIXED_QUOTE'; amount: Decimal }
  | { mode: 'EQUITY_PCT'; pct: Decimal }
  | { mode: 'RISK_PCT'; riskPct: Decimal }
  | { mode: 'CONFIDENCE_SCALED'; riskPct: Decimal }

export interface SizingCaps {
  maxPositionQuote?: Decimal
  maxPositionPctEquity?: Decimal
}

export interface SizingInput {
  sizing: SizingMode
  /** Account equity in the quote currency. */
  equity: Decimal
  entryPrice: Decimal
  /** Needed by the risk modes only. */
  stopLoss: Decimal | null
  /** The decision's confidence, 0..1; only CONFIDENCE_SCALED reads it. */
  confidence: Decimal
  minConfidence: Decimal
  caps: SizingCaps
  /** Optional cap proposed by the decision; it can only shrink the size. */
  decisionSizeQuote?: Decimal
  /** Quote currency, used in explanations only (e.g. "USDT"). */
  quote?: string
}

export interface SizingResult {
  /** Not rounded to the step size: the validation layer does that. */
  qty: Decimal
  notional: Decimal
  /** The cap that bound, e.g. 'max position size 1000 USDT'; null when none did. */
  cappedBy: string | null
  explanation: string
}

/** Lower bound of the confidence factor, so a decision just over the minimum still trades. */
export const MIN_CONFIDENCE_FACTOR = dec('0.25')
const ONE = dec(1)

/** For explanations only; results stay exact. */
const show = (d: Decimal) => d.toSignificantDigits(10).toFixed()

/**
 * Quantity and notional for an entry. Invalid inputs (non-positive equity, price, amount or
 * percentage, a missing or zero-distance stop for the risk modes, confidence below the minimum
 * for CONFIDENCE_SCALED) give a zero size with an explanation; this never throws.
 *
 * Risk modes: qty = equity × riskPct / 100 / |entry − stop|, so hitting the stop loses riskPct %
 * of equity. CONFIDENCE_SCALED multiplies that risk by
 *   factor = clamp((confidence − minConfidence) / (1 − minConfidence), 0.25, 1),
 * so confidence equal to the minimum risks a quarter, confidence 1 the full riskPct.
 * Afterwards the smallest binding cap wins (max position quote, max % of equity, the decision's
 * own size); a cap equal to the size does not bind.
 */
export function sizePosition(input: SizingInput): SizingResult {
  const unit = input.quote ? ` ${input.quote}` : ''
  const base = uncappedSize(input, unit)
  if (typeof base === 'string') return { qty: ZERO, notional: ZERO, cappedBy: null, explanation: base }

  const { equity, caps } = input
  const limits: { label: string; value: Decimal }[] = []
  if (caps.maxPositionQuote) {
    limits.push({ label: `max position size ${show(caps.maxPositionQuote)}${unit}`, value: caps.maxPositionQuote })
  }
  if (caps.maxPositionPctEquity) {
    const value = equity.mul(caps.maxPositionPctEquity).div(100)
    limits.push({ label: `max position ${show(caps.maxPositionPctEquity)}% of equity (${show(value)}${unit})`, value })
  }
  if (input.decisionSizeQuote) {
    limits.push({ label: `decision size ${show(input.decisionSizeQuote)}${unit}`, value: input.decisionSizeQuote })
  }
  // Strictly-less keeps the first of equal caps, so the reported cap is deterministic.
  const binding = limits.reduce<(typeof limits)[number] | null>(
    (best, l) => (l.value.lt(best ? best.value : base.notional) ? l : best),
    null,
  )
  const notional = binding ? maxDec(binding.value, ZERO) : base.notional
  const qty = binding ? notional.div(input.entryPrice) : base.qty
  const capped = binding ? `; capped by ${binding.label}` : ''
  return {
    qty,
    notional,
    cappedBy: binding ? binding.label : null,
    explanation: `${base.why}: notional ${show(notional)}${unit}, qty ${show(qty)}${capped}`,
  }
}

interface UncappedSize {
  qty: Decimal
  notional: Decimal
  why: string
}

/** The uncapped size and why, or the reason the size is zero. */
function uncappedSize(input: SizingInput, unit: string): UncappedSize | string {
  const { sizing, equity, entryPrice } = input
  if (!entryPrice.gt(0)) return `entry price ${entryPrice.toFixed()} must be greater than 0: size 0`
  if (!equity.gt(0)) return `equity ${equity.toFixed()}${unit} must be greater than 0: size 0`

  switch (sizing.mode) {
    case 'FIXED_QUOTE':
      if (!sizing.amount.gt(0)) return `fixed amount ${sizing.amount.toFixed()}${unit} must be greater than 0: size 0`
      return byNotional(sizing.amount, entryPrice, `fixed amount ${show(sizing.amount)}${unit}`)
    case 'EQUITY_PCT': {
      if (!sizing.pct.gt(0)) return `equity share ${sizing.pct.toFixed()}% must be greater than 0: size 0`
      const notional = equity.mul(sizing.pct).div(100)
      return byNotional(notional, entryPrice, `${show(sizing.pct)}% of equity ${show(equity)}${unit}`)
    }
    case 'RISK_PCT':
      return riskSize(input, sizing.riskPct, null, unit)
    case 'CONFIDENCE_SCALED': {
      const { confidence, minConfidence } = input
      if (confidence.lt(minConfidence)) {
        return `confidence ${confidence.toFixed()} is below the minimum ${minConfidence.toFixed()}: size 0`
      }
      const span = ONE.minus(minConfidence)
      const raw = span.gt(0) ? confidence.minus(minConfidence).div(span) : ONE
      const factor = minDec(maxDec(raw, MIN_CONFIDENCE_FACTOR), ONE)
      return riskSize(input, sizing.riskPct, factor, unit)
    }
  }
}

function byNotional(notional: Decimal, entryPrice: Decimal, why: string): UncappedSize {
  return { qty: notional.div(entryPrice), notional, why }
}

/** `factor` is the confidence factor, null for plain RISK_PCT. */
function riskSize(input: SizingInput, riskPct: Decimal, factor: Decimal | null, unit: string): UncappedSize | string {
  const { equity, entryPrice, stopLoss } = input
  if (!riskPct.gt(0)) return `risk ${riskPct.toFixed()}% must be greater than 0: size 0`
  if (stopLoss === null) return 'risk-based sizing needs a stop loss: size 0'
  const distance = entryPrice.minus(stopLoss).abs()
  if (distance.isZero()) return `stop loss ${stopLoss.toFixed()} equals the entry price: size 0`

  const risk = equity.mul(riskPct).div(100).mul(factor ?? ONE)
  const qty = risk.div(distance)
  const scaled = factor ? ` × confidence factor ${show(factor)}` : ''
  return {
    qty,
    notional: qty.mul(entryPrice),
    why:
      `risk ${show(riskPct)}% of equity ${show(equity)}${unit}${scaled} = ${show(risk)}${unit} ` +
      `over stop distance ${show(distance)} (entry ${entryPrice.toFixed()}, stop ${stopLoss.toFixed()})`,
  }
}

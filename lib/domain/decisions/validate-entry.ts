import { ZERO, minDec, type Decimal } from '@/lib/domain/decimal'
import { truncateQtyToStep } from '@/lib/domain/market/precision'
import { entryFillPrice } from '@/lib/domain/positions/entry-price'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'
import type { TakeProfitLevel } from '@/lib/domain/positions/protection-rules'
import { allSatisfied, outcome, type CheckOutcome } from './check-outcome'
import type { MarketSnapshot, OpenPositionState } from './decision-context'
import type { DecisionSettings } from './decision-settings'
import { SHARE_PCT, readInInterval, readPositive, show } from './decision-values'
import { checkOrderQty } from './order-size-check'
import { checkNoOpenPosition } from './position-checks'
import {
  checkDistance,
  checkStopPrice,
  checkTargetPrice,
  checkTotalShare,
  roundForSide,
  roundingNote,
  type PriceReference,
} from './price-level-checks'
import type { DecisionTakeProfit, TradeDecision } from './trade-decision'
import type { Check } from './validation-result'

export interface EntryInput {
  decision: TradeDecision
  side: PositionSide
  market: MarketSnapshot
  position: OpenPositionState | null
  settings: DecisionSettings
  /** The quantity the trader's sizing mode chose, before step rounding. */
  entryQty: Decimal | null
}

/** An entry ready to place: every price on the tick grid, the quantity on the step grid. */
export interface EntryOrder {
  side: PositionSide
  type: 'MARKET' | 'LIMIT'
  /** The limit price; null for MARKET. */
  price: Decimal | null
  qty: Decimal
  stopLoss: Decimal
  /** Sorted by price ascending, the order an open position's levels are shown in. */
  takeProfits: TakeProfitLevel[]
}

interface EntryPricing {
  type: 'MARKET' | 'LIMIT'
  limitPrice: Decimal | null
  reference: PriceReference
}

/** LONG/SHORT: no position open, shorting allowed, a sane entry price, a stop, sane targets, an order size the exchange takes. */
export function validateEntry(input: EntryInput): CheckOutcome<EntryOrder> {
  const { decision, side, position, settings } = input
  const gate = [checkNoOpenPosition(side, decision.symbol, position), ...(side === 'SHORT' ? [shortingAllowed(settings)] : [])]
  const pricing = entryPricing(input)
  if (pricing.value === undefined) return { checks: [...gate, ...pricing.checks], warnings: pricing.warnings }

  const ref = pricing.value.reference
  const stop = entryStop(input, ref)
  const targets = entryTargets(input, ref)
  const qty = entryQuantity(input, ref)
  const checks = [...gate, ...pricing.checks, ...stop.checks, ...targets.checks, ...qty.checks]
  const warnings = [...pricing.warnings, ...qty.warnings]
  if (stop.value === undefined || targets.value === undefined || qty.value === undefined) return { checks, warnings }

  warnings.push(...rewardRiskWarning(side, ref, stop.value, targets.value))
  const { type, limitPrice } = pricing.value
  const order = { side, type, price: limitPrice, qty: qty.value, stopLoss: stop.value, takeProfits: targets.value }
  return outcome(checks, warnings, () => order)
}

function shortingAllowed(settings: DecisionSettings): Check {
  return {
    name: 'shorting allowed',
    satisfied: settings.canShort,
    currentValue: 'SHORT',
    requiredValue: 'shorting enabled',
    message: 'a SHORT entry was proposed but shorting is disabled in the trading settings',
  }
}

/** The entry type and the price stops and targets are measured from: the limit price, or the ask (LONG) / bid (SHORT). */
function entryPricing({ decision, side, market, settings }: EntryInput): CheckOutcome<EntryPricing> {
  const type = decision.entryType ?? 'MARKET'
  const typeCheck: Check = {
    name: 'entry type',
    satisfied: type === 'MARKET' || type === 'LIMIT',
    currentValue: show(type),
    requiredValue: 'MARKET or LIMIT',
    message: `entry type ${show(type)} must be MARKET or LIMIT`,
  }
  if (type === 'MARKET') {
    const ignored = `entry price ${show(decision.entryPrice)} is ignored for a MARKET entry`
    const warnings = decision.entryPrice === undefined ? [] : [ignored]
    const reference = { price: side === 'LONG' ? market.ask : market.bid, label: 'the entry reference' }
    return { checks: [typeCheck], warnings, value: { type, limitPrice: null, reference } }
  }
  if (!typeCheck.satisfied) return { checks: [typeCheck], warnings: [] }

  const given = readPositive('limit price', 'limit entry price', decision.entryPrice)
  if (given.value === null) return { checks: [typeCheck, given.check], warnings: [] }
  const limit = roundForSide(given.value, side, 'ENTRY_LIMIT', market.rules.tickSize)
  const mid = { price: market.bid.plus(market.ask).div(2), label: 'the market mid' }
  const proposed = { label: 'limit entry price', price: limit, note: roundingNote(given.value, limit) }
  const deviation = checkDistance(proposed, mid, { name: 'max entry deviation', bound: settings.maxEntryDeviationPct, isMax: true })
  return outcome([typeCheck, given.check, deviation], [], () => ({
    type: 'LIMIT' as const,
    limitPrice: limit,
    // A limit past the market fills at the market: the stop and targets are judged from there.
    reference: { price: entryFillPrice(side, market, limit).price, label: 'the entry reference' },
  }))
}

function entryStop({ decision, side, market, settings }: EntryInput, ref: PriceReference): CheckOutcome<Decimal> {
  const given = readPositive('stop loss value', 'stop loss', decision.stopLoss)
  if (given.value === null) return { checks: [given.check], warnings: [] }
  const stop = roundForSide(given.value, side, 'STOP', market.rules.tickSize)
  const proposed = { label: 'stop loss', price: stop, note: roundingNote(given.value, stop) }
  return outcome([given.check, ...checkStopPrice(side, proposed, ref, settings)], [], () => stop)
}

function entryTargets(input: EntryInput, ref: PriceReference): CheckOutcome<TakeProfitLevel[]> {
  const given: unknown = input.decision.takeProfits ?? []
  if (!Array.isArray(given)) {
    const check: Check = {
      name: 'take profit list',
      satisfied: false,
      currentValue: show(given),
      requiredValue: 'a list',
      message: `take profits ${show(given)} must be a list of levels`,
    }
    return { checks: [check], warnings: [] }
  }
  const parsed = given.map((tp: unknown, i) => entryTarget(input, ref, tp, i))
  const checks = parsed.flatMap((p) => p.checks)
  if (parsed.length > 0) checks.push(checkTotalShare(parsed.flatMap((p) => (p.share ? [p.share] : [])), ZERO))
  const levels = parsed.flatMap((p) => (p.level ? [p.level] : []))
  return outcome(checks, [], () => levels.sort((a, b) => a.price.comparedTo(b.price)))
}

function entryTarget(
  { side, market, settings }: EntryInput,
  ref: PriceReference,
  tp: unknown,
  i: number,
): { checks: Check[]; share: Decimal | null; level?: TakeProfitLevel } {
  const label = `take profit ${i + 1}`
  const fields: Partial<DecisionTakeProfit> = typeof tp === 'object' && tp !== null ? tp : {}
  const price = readPositive('take profit price', `${label} price`, fields.price)
  const share = readInInterval('take profit share', `${label} share`, fields.sharePct, SHARE_PCT)
  const checks = [price.check, share.check]
  if (price.value === null) return { checks, share: share.value }

  const rounded = roundForSide(price.value, side, 'TAKE_PROFIT', market.rules.tickSize)
  checks.push(...checkTargetPrice(side, { label, price: rounded, note: roundingNote(price.value, rounded) }, ref, settings))
  const level = allSatisfied(checks) && share.value ? { price: rounded, sharePct: share.value } : undefined
  return { checks, share: share.value, level }
}

/** The sizing mode's quantity, shrunk by the decision's optional quote cap, truncated to the step. */
function entryQuantity({ decision, market, entryQty }: EntryInput, ref: PriceReference): CheckOutcome<Decimal> {
  const { rules } = market
  const wanted = readPositive('entry size', 'entry quantity from the sizing mode', entryQty)
  const cap = decision.sizeQuote === undefined ? null : readPositive('size cap', 'size cap (sizeQuote)', decision.sizeQuote)
  const checks = cap ? [wanted.check, cap.check] : [wanted.check]
  if (wanted.value === null || (cap !== null && cap.value === null)) return { checks, warnings: [] }

  const capQty = cap?.value ? cap.value.div(ref.price) : null
  const raw = capQty ? minDec(wanted.value, capQty) : wanted.value
  const qty = truncateQtyToStep(raw, rules.stepSize)
  const capped = `the size cap of ${show(decision.sizeQuote)} ${rules.quote} lowers the entry quantity`
  const lowered = `${capped} from ${wanted.value.toFixed()} to ${qty.toFixed()} ${rules.base}`
  const warnings = capQty && capQty.lt(wanted.value) ? [lowered] : []
  return outcome([...checks, checkOrderQty('entry', rules, qty, ref.price, raw)], warnings, () => qty)
}

/** Warns when the nearest target (the one the trade meets first) earns less than the stop risks. */
function rewardRiskWarning(side: PositionSide, ref: PriceReference, stop: Decimal, targets: TakeProfitLevel[]): string[] {
  if (targets.length === 0) return []
  const first = side === 'LONG' ? targets[0] : targets[targets.length - 1]
  const risk = ref.price.minus(stop).abs()
  const reward = first.price.minus(ref.price).abs()
  if (risk.isZero()) return []
  const ratio = reward.div(risk)
  if (ratio.gte(1)) return []
  return [
    `take profit ${first.price.toFixed()} gives a reward/risk ratio of ${ratio.toDecimalPlaces(2).toFixed()} ` +
      `(reward ${reward.toFixed()}, risk ${risk.toFixed()} per unit from ${ref.label} ${ref.price.toFixed()}); ` +
      'the first target earns less than the stop risks',
  ]
}

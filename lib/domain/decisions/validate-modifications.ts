import { ZERO, type Decimal } from '@/lib/domain/decimal'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'
import { exitPriceFor } from '@/lib/domain/positions/exit-price'
import type { TakeProfitLevel } from '@/lib/domain/positions/protection-rules'
import type { MarketSnapshot, OpenPositionState } from './decision-context'
import type { DecisionSettings } from './decision-settings'
import { SHARE_PCT, readInInterval, readPositive, show } from './decision-values'
import {
  checkStopPrice,
  checkTargetPrice,
  checkTotalShare,
  describePrice,
  roundForSide,
  roundingNote,
  type PriceReference,
  type ProposedPrice,
} from './price-level-checks'
import { MODIFICATION_TYPES, type Modification, type ModificationTrigger } from './trade-decision'
import { resultFromChecks, type Check, type ValidationResult } from './validation-result'

export interface ModificationValidationInput {
  modifications: readonly Modification[]
  position: OpenPositionState
  market: MarketSnapshot
  settings: DecisionSettings
  /** Who asked. The hourly limit counts the AI's changes only; every other rule holds for everyone. */
  trigger: ModificationTrigger
}

/** A position's whole active protection; targets sorted by price ascending. */
export interface ResultingProtection {
  stopLoss: Decimal | null
  takeProfits: TakeProfitLevel[]
}

export interface ModificationValidation extends ValidationResult {
  /** Present only when valid and there was at least one modification: the protection after all of them. */
  protection?: ResultingProtection
}

interface WorkingTarget extends ProposedPrice {
  sharePct: Decimal
  /** The 1-based level the provider was shown; null for a level added in this batch. */
  level: number | null
  /** Added or changed in this batch, so it is checked against the market now. */
  touched: boolean
}

/** The protection as the batch is applied, one modification at a time. */
interface Working {
  stop: ProposedPrice | null
  stopChanged: boolean
  targetsChanged: boolean
  targets: WorkingTarget[]
}

interface Context {
  position: OpenPositionState
  market: MarketSnapshot
  settings: DecisionSettings
  exit: PriceReference
}

interface Step {
  working: Working
  checks: Check[]
}

/**
 * Applies the modifications in order to a copy of the position's stop and targets, then checks the
 * result against the market. `level` always means the level the provider was shown, so
 * "cancel 1, modify 2" touches the original second level, not whatever moved into its place.
 */
export function validateModifications(input: ModificationValidationInput): ModificationValidation {
  if (input.modifications.length === 0) return resultFromChecks([])
  const { position, market, settings } = input
  const ctx: Context = { position, market, settings, exit: { price: exitPriceFor(position.side, market), label: 'the exit price' } }

  let working = initialWorking(position)
  const stepChecks: Check[] = []
  input.modifications.forEach((mod, i) => {
    const step = applyModification(working, mod, i, ctx)
    working = step.working
    stepChecks.push(...step.checks)
  })

  const result = resultFromChecks([...rateLimit(input), ...stepChecks, ...resultChecks(working, ctx)])
  return result.isValid ? { ...result, protection: toProtection(working) } : result
}

function initialWorking(position: OpenPositionState): Working {
  return {
    stop: position.stopLoss === null ? null : { label: 'current stop loss', price: position.stopLoss },
    stopChanged: false,
    targetsChanged: false,
    targets: position.takeProfits.map((tp, i) => ({
      label: `take profit level ${i + 1}`,
      price: tp.price,
      sharePct: tp.sharePct,
      level: i + 1,
      touched: false,
    })),
  }
}

function rateLimit({ modifications, position, settings, trigger }: ModificationValidationInput): Check[] {
  if (trigger !== 'AI_ANALYSIS') return []
  const max = settings.maxModificationsPerHour
  const total = position.modificationsLastHour + modifications.length
  return [
    {
      name: 'max modifications per hour',
      satisfied: total <= max,
      currentValue: `${total}`,
      requiredValue: `<= ${max}`,
      message:
        `${modifications.length} modification(s) now and ${position.modificationsLastHour} in the last hour make ${total}; ` +
        `the maximum is ${max} per hour for a position`,
    },
  ]
}

function applyModification(working: Working, mod: Modification, i: number, ctx: Context): Step {
  const type: unknown = (mod as { type?: unknown } | null)?.type
  const label = `modification ${i + 1} (${typeof type === 'string' ? type : show(type)})`
  switch (mod?.type) {
    case 'MOVE_SL':
      return moveStop(working, mod.price, label, ctx)
    case 'TRAIL_SL':
      return trailStop(working, mod.distancePct, label, ctx)
    case 'ADD_TP':
      return addTarget(working, mod, label, ctx)
    case 'MODIFY_TP':
      return modifyTarget(working, mod, label, ctx)
    case 'CANCEL_TP':
      return cancelTarget(working, mod.level, label, ctx)
    default:
      return { working, checks: [unknownType(type, i)] }
  }
}

function unknownType(type: unknown, i: number): Check {
  const expected = MODIFICATION_TYPES.join(', ')
  return {
    name: 'modification type',
    satisfied: false,
    currentValue: show(type),
    requiredValue: expected,
    message: `modification ${i + 1} has the unknown type ${show(type)}; expected one of ${expected}`,
  }
}

function moveStop(working: Working, given: unknown, label: string, ctx: Context): Step {
  const read = readPositive('stop loss value', `${label} price`, given)
  if (read.value === null) return { working, checks: [read.check] }
  const price = roundForSide(read.value, ctx.position.side, 'STOP', ctx.market.rules.tickSize)
  const stop = { label: `${label} stop loss`, price, note: roundingNote(read.value, price) }
  return { working: { ...working, stop, stopChanged: true }, checks: [read.check] }
}

/** A stop `d` % from the exit price: below it for a LONG, above it for a SHORT. */
function trailStop(working: Working, given: unknown, label: string, ctx: Context): Step {
  const { position, market, settings, exit } = ctx
  const interval = { min: ZERO, minInclusive: false, max: settings.maxStopDistancePct, maxInclusive: true, unit: '%' }
  const read = readInInterval('trail distance', `${label} distance`, given, interval)
  if (read.value === null) return { working, checks: [read.check] }
  const offset = exit.price.mul(read.value).div(100)
  const raw = position.side === 'LONG' ? exit.price.minus(offset) : exit.price.plus(offset)
  const price = roundForSide(raw, position.side, 'STOP', market.rules.tickSize)
  const rounded = price.eq(raw) ? '' : `, rounded from ${raw.toFixed()}`
  const note = `(trailing ${read.value.toFixed()}% from ${exit.label} ${exit.price.toFixed()}${rounded})`
  return { working: { ...working, stop: { label: `${label} stop loss`, price, note }, stopChanged: true }, checks: [read.check] }
}

function addTarget(working: Working, mod: { price: unknown; sharePct: unknown }, label: string, ctx: Context): Step {
  const price = readPositive('take profit price', `${label} price`, mod.price)
  const share = readInInterval('take profit share', `${label} share`, mod.sharePct, SHARE_PCT)
  const checks = [price.check, share.check]
  if (price.value === null || share.value === null) return { working, checks }
  const rounded = roundForSide(price.value, ctx.position.side, 'TAKE_PROFIT', ctx.market.rules.tickSize)
  const added: WorkingTarget = {
    label: `${label} take profit`,
    price: rounded,
    note: roundingNote(price.value, rounded),
    sharePct: share.value,
    level: null,
    touched: true,
  }
  return { working: { ...working, targets: [...working.targets, added], targetsChanged: true }, checks }
}

function modifyTarget(
  working: Working,
  mod: { level: unknown; price: unknown; sharePct?: unknown },
  label: string,
  ctx: Context,
): Step {
  const found = findLevel(working, mod.level, label, ctx.position)
  const price = readPositive('take profit price', `${label} price`, mod.price)
  const share = mod.sharePct === undefined ? null : readInInterval('take profit share', `${label} share`, mod.sharePct, SHARE_PCT)
  const checks = share ? [found.check, price.check, share.check] : [found.check, price.check]
  if (found.index === null || price.value === null || (share !== null && share.value === null)) return { working, checks }

  const old = working.targets[found.index]
  const rounded = roundForSide(price.value, ctx.position.side, 'TAKE_PROFIT', ctx.market.rules.tickSize)
  const updated: WorkingTarget = {
    ...old,
    label: `${label} take profit level ${old.level}`,
    price: rounded,
    note: roundingNote(price.value, rounded),
    sharePct: share?.value ?? old.sharePct,
    touched: true,
  }
  const targets = working.targets.map((t, j) => (j === found.index ? updated : t))
  return { working: { ...working, targets, targetsChanged: true }, checks }
}

function cancelTarget(working: Working, level: unknown, label: string, ctx: Context): Step {
  const found = findLevel(working, level, label, ctx.position)
  if (found.index === null) return { working, checks: [found.check] }
  const targets = working.targets.filter((_, j) => j !== found.index)
  return { working: { ...working, targets, targetsChanged: true }, checks: [found.check] }
}

/** The working target that was shown to the provider as `level`, or a check saying why there is none. */
function findLevel(
  working: Working,
  level: unknown,
  label: string,
  position: OpenPositionState,
): { check: Check; index: number | null } {
  const shown = position.takeProfits.length
  const index = working.targets.findIndex((t) => t.level !== null && t.level === level)
  const wasShown = typeof level === 'number' && Number.isInteger(level) && level >= 1 && level <= shown
  const why = wasShown
    ? `${label} level ${level} was already cancelled earlier in this decision`
    : `${label} level ${show(level)} does not exist; the position has ${shown} active take-profit level(s)`
  const check: Check = {
    name: 'take profit level',
    satisfied: index >= 0,
    currentValue: show(level),
    requiredValue: shown === 0 ? 'no levels exist' : `an active level in 1..${shown}`,
    message: why,
  }
  return { check, index: index >= 0 ? index : null }
}

/** The checks on the protection the batch leaves behind. */
function resultChecks(working: Working, ctx: Context): Check[] {
  const { position, settings, exit } = ctx
  const checks: Check[] = [stopPresent(working.stop)]
  if (working.stopChanged && working.stop) {
    checks.push(...checkStopPrice(position.side, working.stop, exit, settings), ...ratchetChecks(working.stop, ctx))
  }
  for (const tp of working.targets.filter((t) => t.touched)) checks.push(...checkTargetPrice(position.side, tp, exit, settings))
  if (working.targetsChanged) {
    checks.push(checkTotalShare(working.targets.map((t) => t.sharePct), position.filledSharePct))
  }
  return checks
}

function stopPresent(stop: ProposedPrice | null): Check {
  return {
    name: 'stop loss present',
    satisfied: stop !== null && stop.price.gt(0),
    currentValue: stop === null ? 'none' : stop.price.toFixed(),
    requiredValue: 'a stop loss above 0',
    message: 'the position would be left without a stop loss; set one with MOVE_SL or TRAIL_SL',
  }
}

/** A new stop may not loosen a profitable position's stop, nor go past the rule engine's stop, in profit or not. */
function ratchetChecks(stop: ProposedPrice, { position, exit }: Context): Check[] {
  const { side, stopLoss, ruleStopFloor, avgEntryPrice } = position
  const inProfit = side === 'LONG' ? exit.price.gt(avgEntryPrice) : exit.price.lt(avgEntryPrice)
  const checks: Check[] = []
  if (inProfit && stopLoss !== null) {
    const why =
      `while the ${side} is in profit (${exit.label} ${exit.price.toFixed()}, average entry ${avgEntryPrice.toFixed()}) ` +
      `its stop may only move ${side === 'LONG' ? 'up' : 'down'}`
    checks.push(notLooser('profit lock-in', side, stop, stopLoss, 'the current stop', why))
  }
  if (ruleStopFloor !== null) {
    const why = 'a stop set by the breakeven/trailing rules may only be tightened'
    checks.push(notLooser('rule stop floor', side, stop, ruleStopFloor, "the rule engine's stop", why))
  }
  return checks
}

function notLooser(name: string, side: PositionSide, stop: ProposedPrice, bound: Decimal, boundLabel: string, why: string): Check {
  const long = side === 'LONG'
  return {
    name,
    satisfied: long ? stop.price.gte(bound) : stop.price.lte(bound),
    currentValue: stop.price.toFixed(),
    requiredValue: `${long ? '>=' : '<='} ${bound.toFixed()}`,
    message: `${describePrice(stop)} is looser than ${boundLabel} ${bound.toFixed()}; ${why}`,
  }
}

function toProtection(working: Working): ResultingProtection {
  const takeProfits = working.targets
    .map((t) => ({ price: t.price, sharePct: t.sharePct }))
    .sort((a, b) => a.price.comparedTo(b.price))
  return { stopLoss: working.stop?.price ?? null, takeProfits }
}

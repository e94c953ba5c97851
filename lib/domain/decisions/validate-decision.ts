import { ZERO, dec, type Decimal } from '@/lib/domain/decimal'
import type { CheckOutcome } from './check-outcome'
import type { MarketSnapshot, OpenPositionState } from './decision-context'
import type { DecisionSettings } from './decision-settings'
import { POSITIVE, readInInterval, show, type Interval } from './decision-values'
import { checkOpenPosition } from './position-checks'
import { DECISION_ACTIONS, type DecisionAction, type Modification, type ModificationTrigger, type TradeDecision } from './trade-decision'
import { validateEntry, type EntryOrder } from './validate-entry'
import { validateExit, type ExitOrder } from './validate-exit'
import { validateModifications, type ModificationValidation, type ResultingProtection } from './validate-modifications'
import { mergeResults, resultFromChecks, type Check, type ValidationResult } from './validation-result'

export type { DecisionSettings } from './decision-settings'
export type { MarketSnapshot, OpenPositionState } from './decision-context'

export interface DecisionValidationInput {
  decision: TradeDecision
  watchlist: readonly string[]
  market: MarketSnapshot
  position: OpenPositionState | null
  settings: DecisionSettings
  /** For LONG/SHORT: the quantity the trader's sizing mode chose (before step rounding); null otherwise. */
  entryQty: Decimal | null
  /**
   * Who makes the modifications: the model (AI_ANALYSIS, the default), whose changes count
   * against its hourly limit; or a person approving one (USER_MANUAL): the model's proposal was
   * counted when it was made, and its replay as cancels and adds is not the model acting again.
   */
  modificationTrigger?: ModificationTrigger
}

/** Tick- and step-rounded values, ready for execution. */
export interface NormalizedDecision {
  entry?: EntryOrder
  /** CLOSE, or PARTIAL_TP (full when the remainder would have been too small to trade). */
  exit?: ExitOrder
  /** The whole active protection after all modifications; absent when there were none. */
  protection?: ResultingProtection
}

export interface DecisionValidation extends ValidationResult {
  /** Present only when valid and there is something to execute. */
  normalized?: NormalizedDecision
}

const ACTS_ON_MARKET: readonly DecisionAction[] = ['LONG', 'SHORT', 'CLOSE', 'PARTIAL_TP']
const CONFIDENCE: Interval = { min: ZERO, minInclusive: true, max: dec(1), maxInclusive: true }
const NON_NEGATIVE: Interval = { min: ZERO, minInclusive: true }

/**
 * Checks one provider decision against the watchlist, the market, the open position and the
 * trader's settings. Pure and total: bad model output becomes errors, never an exception.
 */
export function validateDecision(input: DecisionValidationInput): DecisionValidation {
  const { decision, settings } = input
  const modifications: readonly Modification[] = Array.isArray(decision.modifications) ? decision.modifications : []
  const actsOnMarket = ACTS_ON_MARKET.includes(decision.action)
  const head = [
    symbolOnWatchlist(decision.symbol, input.watchlist),
    validAction(decision.action),
    ...confidenceChecks(decision, modifications.length > 0, settings),
  ]
  if (actsOnMarket || modifications.length > 0) {
    const market = usableMarket(decision.symbol, input.market)
    head.push(market)
    // Without a usable price, tick and step nothing below can be computed.
    if (!market.satisfied) return resultFromChecks(head)
  }

  const action = validateAction(input)
  const changes = modifications.length > 0 ? validateChanges(input, modifications, action.value?.exit) : null
  const result = mergeResults(resultFromChecks([...head, ...action.checks], action.warnings), ...(changes ? [changes] : []))
  if (!result.isValid) return result

  const normalized: NormalizedDecision = { ...action.value }
  if (changes?.protection) normalized.protection = changes.protection
  return Object.keys(normalized).length > 0 ? { ...result, normalized } : result
}

function validateAction(input: DecisionValidationInput): CheckOutcome<NormalizedDecision> {
  const { decision, market, position, settings, entryQty } = input
  switch (decision.action) {
    case 'LONG':
    case 'SHORT': {
      const entry = validateEntry({ decision, side: decision.action, market, position, settings, entryQty })
      return { ...entry, value: entry.value && { entry: entry.value } }
    }
    case 'CLOSE':
    case 'PARTIAL_TP': {
      const exit = validateExit({ decision, position, market })
      return { ...exit, value: exit.value && { exit: exit.value } }
    }
    default:
      // NO_TRADE and WATCH execute nothing; an unknown action already failed 'valid action'.
      return { checks: [], warnings: [] }
  }
}

/** Modifications need a position that stays open after this decision. */
function validateChanges(
  input: DecisionValidationInput,
  modifications: readonly Modification[],
  exit: ExitOrder | undefined,
): ModificationValidation {
  const { decision, position, market, settings } = input
  const open = checkOpenPosition('modifications', decision.symbol, position)
  if (position === null) return resultFromChecks([open])
  if (decision.action === 'CLOSE') return resultFromChecks([open, noChangesWithClose(modifications.length)])
  if (exit?.full) {
    const dropped = `the ${modifications.length} modification(s) are dropped because the exit closes the whole position`
    return resultFromChecks([open], [dropped])
  }
  const changes = validateModifications({ modifications, position, market, settings, trigger: input.modificationTrigger ?? 'AI_ANALYSIS' })
  return { ...mergeResults(resultFromChecks([open]), changes), protection: changes.protection }
}

function noChangesWithClose(count: number): Check {
  return {
    name: 'no modifications with close',
    satisfied: false,
    currentValue: `${count} modification(s)`,
    requiredValue: 'none',
    message: `a CLOSE exits the whole position, so its ${count} modification(s) contradict it`,
  }
}

function symbolOnWatchlist(symbol: unknown, watchlist: readonly string[]): Check {
  const list = watchlist.length === 0 ? 'the watchlist is empty' : watchlist.join(', ')
  const shown = typeof symbol === 'string' ? symbol : show(symbol)
  return {
    name: 'symbol on watchlist',
    satisfied: typeof symbol === 'string' && watchlist.includes(symbol),
    currentValue: shown,
    requiredValue: watchlist.length === 0 ? 'a watched symbol' : `one of ${list}`,
    message: `symbol ${shown} is not on the watchlist (${list})`,
  }
}

function validAction(action: unknown): Check {
  const expected = DECISION_ACTIONS.join(', ')
  return {
    name: 'valid action',
    satisfied: (DECISION_ACTIONS as readonly unknown[]).includes(action),
    currentValue: show(action),
    requiredValue: `one of ${expected}`,
    message: `action ${show(action)} must be one of ${expected}`,
  }
}

/** Confidence must be a number in 0..1 for every action, and reach the minimum for anything that acts. */
function confidenceChecks(decision: TradeDecision, hasModifications: boolean, settings: DecisionSettings): Check[] {
  const range = readInInterval('confidence range', 'confidence', decision.confidence, CONFIDENCE)
  const acts = ACTS_ON_MARKET.includes(decision.action)
  if (range.value === null || (!acts && !hasModifications)) return [range.check]
  const what = [acts ? decision.action : null, hasModifications ? 'modifications' : null].filter(Boolean).join(' and ')
  const min = settings.minConfidence.toFixed()
  const minimum: Check = {
    name: 'min confidence',
    satisfied: range.value.gte(settings.minConfidence),
    currentValue: range.value.toFixed(),
    requiredValue: `>= ${min}`,
    message: `confidence ${range.value.toFixed()} is below the minimum ${min} for ${what}`,
  }
  return [range.check, minimum]
}

/** The quote and the market's rules must be real numbers, or rounding and distances are meaningless. */
function usableMarket(symbol: unknown, market: MarketSnapshot | undefined): Check {
  const rules = market?.rules
  const fields: [string, unknown, Interval][] = [
    ['bid', market?.bid, POSITIVE],
    ['ask', market?.ask, POSITIVE],
    ['tick size', rules?.tickSize, POSITIVE],
    ['step size', rules?.stepSize, POSITIVE],
    ['minimum quantity', rules?.minQty, NON_NEGATIVE],
    ['minimum order value', rules?.minNotional, NON_NEGATIVE],
  ]
  const problems = fields
    .map(([label, value, interval]) => readInInterval('market data', label, value, interval).check)
    .filter((c) => !c.satisfied)
    .map((c) => c.message)
  return {
    name: 'market data',
    satisfied: problems.length === 0,
    currentValue: `bid ${show(market?.bid)}, ask ${show(market?.ask)}`,
    requiredValue: 'positive bid, ask, tick size and step size',
    message: `market data for ${show(symbol)} cannot be used: ${problems.join('; ')}`,
  }
}

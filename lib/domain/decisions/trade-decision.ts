import type { Decimal } from '@/lib/domain/decimal'

/**
 * What a provider (LLM or the built-in rules) decided for one symbol, after parsing.
 * Every provider produces exactly this shape; nothing in it has been validated against the
 * market yet (see validate-decision.ts).
 */
export const DECISION_ACTIONS = ['NO_TRADE', 'LONG', 'SHORT', 'WATCH', 'CLOSE', 'PARTIAL_TP'] as const
export type DecisionAction = (typeof DECISION_ACTIONS)[number]

export const MODIFICATION_TYPES = ['MOVE_SL', 'TRAIL_SL', 'ADD_TP', 'MODIFY_TP', 'CANCEL_TP'] as const
export type ModificationType = (typeof MODIFICATION_TYPES)[number]

export interface DecisionTakeProfit {
  price: Decimal
  /** Percent of the position closed at this level, in (0, 100]. */
  sharePct: Decimal
}

/**
 * A change to an open position's protection. Take-profit levels are addressed by their
 * 1-based `level` in the list of active levels shown to the provider (sorted by price).
 */
export type Modification =
  | { type: 'MOVE_SL'; price: Decimal }
  | { type: 'TRAIL_SL'; distancePct: Decimal }
  | { type: 'ADD_TP'; price: Decimal; sharePct: Decimal }
  | { type: 'MODIFY_TP'; level: number; price: Decimal; sharePct?: Decimal }
  | { type: 'CANCEL_TP'; level: number }

export interface TradeDecision {
  symbol: string
  action: DecisionAction
  /** 0..1 */
  confidence: Decimal
  reasoning: string
  /** LONG/SHORT only; MARKET when absent. */
  entryType?: 'MARKET' | 'LIMIT'
  /** Required for a LIMIT entry. */
  entryPrice?: Decimal
  /** Optional cap on the entry's size in quote currency; the trader's sizing mode decides, this can only shrink it. */
  sizeQuote?: Decimal
  stopLoss?: Decimal
  takeProfits?: DecisionTakeProfit[]
  /** PARTIAL_TP only: percent of the open quantity to close now, in (0, 100). */
  exitSharePct?: Decimal
  /** For an open position: changes to its stop and targets. */
  modifications?: Modification[]
}

/** Why a stop or target changed; recorded with every modification. */
export type ModificationTrigger = 'AI_ANALYSIS' | 'RULE_ENGINE' | 'USER_MANUAL'

import type { Decimal } from '@/lib/domain/decimal'
import type { MarketRules } from '@/lib/domain/market/precision'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'
import type { TakeProfitLevel } from '@/lib/domain/positions/protection-rules'

/** The market a decision is judged against: the current top of book and the exchange's rules. */
export interface MarketSnapshot {
  bid: Decimal
  ask: Decimal
  rules: MarketRules
}

/** The open position a decision is judged against. */
export interface OpenPositionState {
  side: PositionSide
  openQty: Decimal
  avgEntryPrice: Decimal
  stopLoss: Decimal | null
  /** Active levels sorted by price ascending; `level` in modifications is the 1-based index in THIS order. */
  takeProfits: TakeProfitLevel[]
  /** Percent of the original position already taken by filled take-profits. */
  filledSharePct: Decimal
  modificationsLastHour: number
  /** The tightest stop the rule engine (breakeven/trailing) has set; the AI may never move the stop looser. */
  ruleStopFloor: Decimal | null
}

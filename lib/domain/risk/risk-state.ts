import type { Decimal } from '@/lib/domain/decimal'

/**
 * Whose limits are checked: one trader's, or the user-wide ones over one of the user's books
 * (the traders of one account mode and quote currency), named as a person reads it ("paper USDT").
 */
export type RiskScope = 'trader' | { userBook: string }

export type RiskSide = 'LONG' | 'SHORT'

/** The measured state of one scope at the moment of a check. */
export interface RiskState {
  /** Account equity now, in quote currency. */
  equity: Decimal
  openPositions: number
  /** Sum of open notional at market, in quote currency. */
  exposureQuote: Decimal
  /**
   * Today's PnL in the user's trading day: what positions closed today and open ones have made or
   * lost, realized or not, each from its day mark when it was held into today, else from its entry
   * (see loadRiskState); negative = loss.
   */
  dailyPnl: Decimal
  /** Current drawdown from the equity/PnL peak, in percent (see drawdownPct in breakers.ts). */
  drawdownPct: Decimal
  /** Entries opened today. */
  tradesToday: number
  /** Epoch ms of the latest entry per symbol. */
  lastEntryAtBySymbol: Record<string, number>
  /** See consecutiveLossesFrom in breakers.ts. */
  consecutiveLosses: number
  /** Recent entries (at least those within the duplicate window), epoch ms. */
  recentEntries: { symbol: string; side: RiskSide; at: number }[]
}

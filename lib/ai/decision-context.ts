/**
 * Everything a decision provider (an LLM or the built-in rules) is shown for one symbol in one
 * cycle. Plain JSON values only: prices, quantities and money are decimal strings exactly as the
 * ledger holds them (never JS floats, never Decimal objects), so the same object can be rendered
 * into a prompt, stored with the decision and replayed later.
 */

/** One OHLCV candle; `t` is the candle's open time (ISO 8601). */
export interface ContextCandle {
  t: string
  o: string
  h: string
  l: string
  c: string
  v: string
}

export interface ContextTakeProfit {
  /** 1-based, in the order shown (sorted by price); modifications address levels by it. */
  level: number
  price: string
  sharePct: string
}

export interface ContextFill {
  side: 'BUY' | 'SELL'
  qty: string
  price: string
  fee: string
  at: string
}

export interface ContextModification {
  at: string
  type: string
  message: string
}

export interface ContextPosition {
  side: 'LONG' | 'SHORT'
  qty: string
  avgEntryPrice: string
  unrealizedPnl: string
  unrealizedPnlPct: string
  ageMinutes: number
  stopLoss: string | null
  takeProfits: ContextTakeProfit[]
  fills: ContextFill[]
  modifications: ContextModification[]
}

export interface ContextRecentDecision {
  at: string
  action: string
  confidence: string | null
  /** What became of it: executed, rejected by validation, awaiting approval, ... */
  outcome: string
  reasoning: string
}

export interface DecisionContext {
  trader: {
    name: string
    quoteCurrency: string
    canShort: boolean
    /** Decisions below this confidence (0..1) are not executed. */
    minConfidence: string
  }
  symbol: string
  /** ISO 8601 time the context was assembled. */
  now: string
  market: {
    bid: string
    ask: string
    mid: string
    tickSize: string
    stepSize: string
    minNotional: string
    /** Keyed by timeframe ('15m', '1h', ...); each series is oldest first. */
    candles: Record<string, ContextCandle[]>
    atr: string | null
    volatilityPct: string | null
  }
  position: ContextPosition | null
  recentDecisions: ContextRecentDecision[]
  account: {
    equity: string
    available: string
    openPositions: number
    dailyPnl: string
  }
  risk: {
    maxStopDistancePct: string
    maxPositionQuote: string | null
    tradesToday: number
    paused: boolean
  }
}

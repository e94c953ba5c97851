import { dec, type Decimal } from '@/lib/domain/decimal'
import { isEnabled } from '@/lib/domain/risk/limit-check'

/**
 * Limits for one scope (a trader, or the whole exchange account). Every field is optional:
 * null or absent disables that limit. Percentages are of current account equity, in percent
 * (10 = 10%); amounts are in the account's quote currency.
 */
export interface RiskLimits {
  maxPositionQuote?: Decimal | null
  maxPositionPctEquity?: Decimal | null
  maxConcurrentPositions?: number | null
  maxExposureQuote?: Decimal | null
  maxExposurePctEquity?: Decimal | null
  maxRiskPerTradePct?: Decimal | null
  dailyLossLimitQuote?: Decimal | null
  dailyLossLimitPct?: Decimal | null
  maxDrawdownPct?: Decimal | null
  maxTradesPerDay?: number | null
  cooldownMinutes?: number | null
  maxConsecutiveLosses?: number | null
  minOrderQuote?: Decimal | null
  maxOrderQuote?: Decimal | null
  duplicateWindowSeconds?: number | null
}

export type RiskLimitName = keyof RiskLimits

/** Conservative limits a new trader starts with. */
export const DEFAULT_TRADER_LIMITS: Readonly<RiskLimits> = Object.freeze({
  maxPositionPctEquity: dec(10),
  maxConcurrentPositions: 3,
  maxExposurePctEquity: dec(50),
  maxRiskPerTradePct: dec(1),
  dailyLossLimitPct: dec(3),
  maxDrawdownPct: dec(10),
  maxTradesPerDay: 20,
  cooldownMinutes: 15,
  maxConsecutiveLosses: 4,
  minOrderQuote: dec(10),
  maxOrderQuote: dec(5000),
  duplicateWindowSeconds: 60,
})

/** Account-wide limits over all traders sharing one exchange account. */
export const DEFAULT_ACCOUNT_LIMITS: Readonly<RiskLimits> = Object.freeze({
  maxConcurrentPositions: 10,
  maxExposurePctEquity: dec(100),
  dailyLossLimitPct: dec(5),
  maxDrawdownPct: dec(20),
})

/** A person's name for each limit; the amount and percent variants of a limit share one. */
export const LIMIT_LABELS: Readonly<Record<RiskLimitName, string>> = Object.freeze({
  maxPositionQuote: 'max position size',
  maxPositionPctEquity: 'max position size',
  maxConcurrentPositions: 'max open positions',
  maxExposureQuote: 'max total exposure',
  maxExposurePctEquity: 'max total exposure',
  maxRiskPerTradePct: 'max risk per trade',
  dailyLossLimitQuote: 'daily loss limit',
  dailyLossLimitPct: 'daily loss limit',
  maxDrawdownPct: 'max drawdown',
  maxTradesPerDay: 'max trades per day',
  cooldownMinutes: 'cooldown per symbol',
  maxConsecutiveLosses: 'max consecutive losses',
  minOrderQuote: 'min order size',
  maxOrderQuote: 'max order size',
  duplicateWindowSeconds: 'duplicate order window',
})

// Judged from the order alone: every other limit reads the ledger (equity, open positions,
// today's PnL, recent entries), which costs an entry a dozen queries.
const ORDER_ONLY_LIMITS: ReadonlySet<RiskLimitName> = new Set(['maxPositionQuote', 'minOrderQuote', 'maxOrderQuote'])

/** What of a scope's history its limits look at: its entries (the pace limits) and its latest closes (its losing streak). */
export interface LimitReads {
  entries: boolean
  closes: boolean
}

export function limitReads(limits: RiskLimits): LimitReads {
  return {
    entries: isEnabled(limits.maxTradesPerDay) || isEnabled(limits.cooldownMinutes) || isEnabled(limits.duplicateWindowSeconds),
    closes: isEnabled(limits.maxConsecutiveLosses),
  }
}

/** Whether checking an entry against `limits` needs the scope's risk state at all. */
export function needsRiskState(limits: RiskLimits): boolean {
  return (Object.keys(limits) as RiskLimitName[]).some((k) => !ORDER_ONLY_LIMITS.has(k) && isEnabled(limits[k]))
}

import { describe, expect, test } from 'vitest'
import { dec, ZERO } from '@/lib/domain/decimal'
import { checkOrderRisk, type OrderIntent, type RiskState } from '@/lib/domain/risk/check-order-risk'
import { DEFAULT_ACCOUNT_LIMITS, DEFAULT_TRADER_LIMITS, LIMIT_LABELS, limitReads, needsRiskState, type RiskLimitName, type RiskLimits } from '@/lib/domain/risk/risk-limits'

const T0 = Date.parse('2026-05-04T12:00:00Z')

// One enabled value per limit, chosen so the order below passes it on an empty ledger.
const ENABLED: Required<{ [K in RiskLimitName]: NonNullable<RiskLimits[K]> }> = {
  maxPositionQuote: dec(1000),
  maxPositionPctEquity: dec(50),
  maxConcurrentPositions: 3,
  maxExposureQuote: dec(5000),
  maxExposurePctEquity: dec(80),
  maxRiskPerTradePct: dec(5),
  dailyLossLimitQuote: dec(100),
  dailyLossLimitPct: dec(5),
  maxDrawdownPct: dec(10),
  maxTradesPerDay: 5,
  cooldownMinutes: 15,
  maxConsecutiveLosses: 3,
  minOrderQuote: dec(10),
  maxOrderQuote: dec(500),
  duplicateWindowSeconds: 60,
}

const empty: RiskState = {
  equity: dec(10000), openPositions: 0, exposureQuote: ZERO, dailyPnl: ZERO, drawdownPct: ZERO,
  tradesToday: 0, lastEntryAtBySymbol: {}, consecutiveLosses: 0, recentEntries: [],
}
// A ledger that trips every limit that looks at it.
const loaded: RiskState = {
  equity: dec(1), openPositions: 50, exposureQuote: dec(1e9), dailyPnl: dec(-1e9), drawdownPct: dec(99),
  tradesToday: 1000, lastEntryAtBySymbol: { 'BTC/USDT': T0 - 1000 }, consecutiveLosses: 100,
  recentEntries: [{ symbol: 'BTC/USDT', side: 'LONG', at: T0 - 1000 }],
}
const order: OrderIntent = { kind: 'ENTRY', symbol: 'BTC/USDT', side: 'LONG', notional: dec(50), riskAmount: dec(1), at: T0 }

describe('needsRiskState: whether an entry check must read the ledger', () => {
  test.each([
    ['no limit at all', {}, false],
    ['every limit disabled (null)', Object.fromEntries(Object.keys(LIMIT_LABELS).map((k) => [k, null])), false],
    ['only order-size limits', { minOrderQuote: dec(10), maxOrderQuote: dec(500), maxPositionQuote: dec(1000) }, false],
    ['max open positions', { maxConcurrentPositions: 3 }, true],
    ['a cooldown of zero minutes is still a limit', { cooldownMinutes: 0 }, true],
    ['a percentage of equity', { maxPositionPctEquity: dec(10) }, true],
    ['the defaults of a new trader', DEFAULT_TRADER_LIMITS, true],
    ['the account-wide defaults', DEFAULT_ACCOUNT_LIMITS, true],
  ] as [string, RiskLimits, boolean][])('%s → %s', (_label, limits, expected) => {
    expect(needsRiskState(limits)).toBe(expected)
  })

  test('exactly the order-size limits are judged without the ledger', () => {
    const orderOnly = (Object.keys(ENABLED) as RiskLimitName[]).filter((k) => !needsRiskState({ [k]: ENABLED[k] }))
    expect(orderOnly.sort()).toEqual(['maxOrderQuote', 'maxPositionQuote', 'minOrderQuote'])
    expect(Object.keys(ENABLED).sort()).toEqual(Object.keys(LIMIT_LABELS).sort()) // a new limit must be classified here
  })

  test.each(Object.keys(ENABLED) as RiskLimitName[])('%s: when the ledger is not needed, no ledger changes the verdict', (limit) => {
    const limits = { [limit]: ENABLED[limit] }
    const onEmpty = checkOrderRisk({ scope: 'trader', limits, state: empty, intent: order })
    const onLoaded = checkOrderRisk({ scope: 'trader', limits, state: loaded, intent: order })
    expect(onEmpty.isValid).toBe(true)
    // Limits that read the ledger are tripped by the loaded one; the others cannot be.
    expect(onLoaded.isValid).toBe(!needsRiskState(limits))
  })
})

describe('limitReads: which of the history an entry check reads', () => {
  // The empty ledger with only the entries, or only the latest closes, loaded.
  const entriesLoaded: RiskState = { ...empty, tradesToday: loaded.tradesToday, lastEntryAtBySymbol: loaded.lastEntryAtBySymbol, recentEntries: loaded.recentEntries }
  const closesLoaded: RiskState = { ...empty, consecutiveLosses: loaded.consecutiveLosses }

  test.each(Object.keys(ENABLED) as RiskLimitName[])('%s: the entries or closes change the verdict exactly when it reads them', (limit) => {
    const limits = { [limit]: ENABLED[limit] }
    const valid = (state: RiskState) => checkOrderRisk({ scope: 'trader', limits, state, intent: order }).isValid
    expect(valid(entriesLoaded)).toBe(!limitReads(limits).entries)
    expect(valid(closesLoaded)).toBe(!limitReads(limits).closes)
  })

  test.each([
    ['the account-wide defaults: neither', DEFAULT_ACCOUNT_LIMITS, { entries: false, closes: false }],
    ['the defaults of a new trader: both', DEFAULT_TRADER_LIMITS, { entries: true, closes: true }],
    ['a cooldown turned off (null)', { cooldownMinutes: null }, { entries: false, closes: false }],
  ] as [string, RiskLimits, { entries: boolean; closes: boolean }][])('%s', (_label, limits, reads) => {
    expect(limitReads(limits)).toEqual(reads)
  })
})

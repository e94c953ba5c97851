import { describe, expect, test } from 'vitest'
import { dec, ZERO } from '@/lib/domain/decimal'
import { checkOrderRisk, type OrderIntent, type RiskScope, type RiskState } from '@/lib/domain/risk/check-order-risk'
import {
  DEFAULT_ACCOUNT_LIMITS,
  DEFAULT_TRADER_LIMITS,
  LIMIT_LABELS,
  type RiskLimitName,
  type RiskLimits,
} from '@/lib/domain/risk/risk-limits'

const T0 = Date.parse('2026-05-04T12:00:00Z')
const MINUTE = 60_000

function state(overrides: Partial<RiskState> = {}): RiskState {
  return {
    equity: dec(1000),
    openPositions: 0,
    exposureQuote: ZERO,
    dailyPnl: ZERO,
    drawdownPct: ZERO,
    tradesToday: 0,
    lastEntryAtBySymbol: {},
    consecutiveLosses: 0,
    recentEntries: [],
    ...overrides,
  }
}

function intent(overrides: Partial<OrderIntent> = {}): OrderIntent {
  return { kind: 'ENTRY', symbol: 'BTCUSDT', side: 'LONG', notional: dec(50), riskAmount: dec(1), at: T0, ...overrides }
}

interface Row {
  label: string
  /** The one limit under test. */
  limit: RiskLimitName
  value: RiskLimits[RiskLimitName]
  state?: Partial<RiskState>
  intent?: Partial<OrderIntent>
  allowed: boolean
  current: string
  required: string
  message?: string
}

// Every limit: just under, exactly at, just over, plus the cases that belong to it.
const rows: Row[] = [
  { label: 'position quote: under', limit: 'maxPositionQuote', value: dec(1000), intent: { notional: dec('999.99') }, allowed: true, current: '999.99', required: '<= 1000' },
  { label: 'position quote: at', limit: 'maxPositionQuote', value: dec(1000), intent: { notional: dec(1000) }, allowed: true, current: '1000', required: '<= 1000' },
  {
    label: 'position quote: over',
    limit: 'maxPositionQuote',
    value: dec(1000),
    intent: { notional: dec('1000.01') },
    allowed: false,
    current: '1000.01',
    required: '<= 1000',
    message: 'max position size: order 1000.01 USDT exceeds 1000 USDT',
  },
  {
    label: 'position quote: over by less than a cent shows the digits that differ',
    limit: 'maxPositionQuote',
    value: dec(1000),
    intent: { notional: dec('1000.004') },
    allowed: false,
    current: '1000.004',
    required: '<= 1000',
    message: 'max position size: order 1000.004 USDT exceeds 1000 USDT',
  },

  { label: 'position % equity: under', limit: 'maxPositionPctEquity', value: dec(10), intent: { notional: dec('99.99') }, allowed: true, current: '99.99', required: '<= 100' },
  { label: 'position % equity: at', limit: 'maxPositionPctEquity', value: dec(10), intent: { notional: dec(100) }, allowed: true, current: '100', required: '<= 100' },
  {
    label: 'position % equity: over',
    limit: 'maxPositionPctEquity',
    value: dec(10),
    intent: { notional: dec('100.01') },
    allowed: false,
    current: '100.01',
    required: '<= 100',
    message: 'max position size: order 100.01 USDT exceeds 10% of equity (100 USDT)',
  },
  {
    label: 'position % equity: the example from the spec',
    limit: 'maxPositionPctEquity',
    value: dec(10),
    state: { equity: dec(10000) },
    intent: { notional: dec(1200) },
    allowed: false,
    current: '1200',
    required: '<= 1000',
    message: 'max position size: order 1200 USDT exceeds 10% of equity (1000 USDT)',
  },
  {
    label: 'position % equity: an inexact allowance is kept exact in the constraint',
    limit: 'maxPositionPctEquity',
    value: dec(10),
    state: { equity: dec('1234.5678') },
    intent: { notional: dec('123.46') },
    allowed: false,
    current: '123.46',
    required: '<= 123.45678',
    message: 'max position size: order 123.46 USDT exceeds 10% of equity (123.457 USDT)',
  },
  {
    label: 'position % equity: no equity blocks every entry',
    limit: 'maxPositionPctEquity',
    value: dec(10),
    state: { equity: ZERO },
    intent: { notional: dec(1) },
    allowed: false,
    current: '1',
    required: '<= 0',
  },

  { label: 'open positions: under', limit: 'maxConcurrentPositions', value: 3, state: { openPositions: 1 }, allowed: true, current: '2', required: '<= 3' },
  { label: 'open positions: at', limit: 'maxConcurrentPositions', value: 3, state: { openPositions: 2 }, allowed: true, current: '3', required: '<= 3' },
  {
    label: 'open positions: over',
    limit: 'maxConcurrentPositions',
    value: 3,
    state: { openPositions: 3 },
    allowed: false,
    current: '4',
    required: '<= 3',
    message: 'max open positions: 3 positions are already open and at most 3 may be',
  },
  { label: 'open positions: zero allows no entry', limit: 'maxConcurrentPositions', value: 0, allowed: false, current: '1', required: '<= 0' },
  // A pyramid added to an open group: the group already counts as one open position.
  { label: 'open positions: at, adding to an open group', limit: 'maxConcurrentPositions', value: 3, state: { openPositions: 3 }, intent: { opensPosition: false }, allowed: true, current: '3', required: '<= 3' },

  { label: 'exposure quote: under', limit: 'maxExposureQuote', value: dec(500), state: { exposureQuote: dec(400) }, intent: { notional: dec('99.99') }, allowed: true, current: '499.99', required: '<= 500' },
  { label: 'exposure quote: at', limit: 'maxExposureQuote', value: dec(500), state: { exposureQuote: dec(400) }, intent: { notional: dec(100) }, allowed: true, current: '500', required: '<= 500' },
  {
    label: 'exposure quote: over',
    limit: 'maxExposureQuote',
    value: dec(500),
    state: { exposureQuote: dec(400) },
    intent: { notional: dec('100.01') },
    allowed: false,
    current: '500.01',
    required: '<= 500',
    message: 'max total exposure: exposure would reach 500.01 USDT (400 USDT open + order 100.01 USDT), more than 500 USDT',
  },

  { label: 'exposure % equity: under', limit: 'maxExposurePctEquity', value: dec(50), state: { exposureQuote: dec(400) }, intent: { notional: dec('99.99') }, allowed: true, current: '499.99', required: '<= 500' },
  { label: 'exposure % equity: at', limit: 'maxExposurePctEquity', value: dec(50), state: { exposureQuote: dec(400) }, intent: { notional: dec(100) }, allowed: true, current: '500', required: '<= 500' },
  {
    label: 'exposure % equity: over',
    limit: 'maxExposurePctEquity',
    value: dec(50),
    state: { exposureQuote: dec(400) },
    intent: { notional: dec('100.01') },
    allowed: false,
    current: '500.01',
    required: '<= 500',
    message: 'max total exposure: exposure would reach 500.01 USDT (400 USDT open + order 100.01 USDT), more than 50% of equity (500 USDT)',
  },

  { label: 'risk per trade: under', limit: 'maxRiskPerTradePct', value: dec(1), intent: { riskAmount: dec('9.99') }, allowed: true, current: '9.99', required: '<= 10' },
  { label: 'risk per trade: at', limit: 'maxRiskPerTradePct', value: dec(1), intent: { riskAmount: dec(10) }, allowed: true, current: '10', required: '<= 10' },
  {
    label: 'risk per trade: over',
    limit: 'maxRiskPerTradePct',
    value: dec(1),
    intent: { riskAmount: dec('10.01') },
    allowed: false,
    current: '10.01',
    required: '<= 10',
    message: 'max risk per trade: loss at the stop 10.01 USDT exceeds 1% of equity (10 USDT)',
  },

  { label: 'daily loss quote: a profit', limit: 'dailyLossLimitQuote', value: dec(30), state: { dailyPnl: dec(50) }, allowed: true, current: '-50', required: '< 30' },
  { label: 'daily loss quote: under', limit: 'dailyLossLimitQuote', value: dec(30), state: { dailyPnl: dec('-29.99') }, allowed: true, current: '29.99', required: '< 30' },
  {
    label: 'daily loss quote: at blocks',
    limit: 'dailyLossLimitQuote',
    value: dec(30),
    state: { dailyPnl: dec(-30) },
    allowed: false,
    current: '30',
    required: '< 30',
    message: "daily loss limit: today's loss 30 USDT has reached the limit of 30 USDT",
  },
  { label: 'daily loss quote: over', limit: 'dailyLossLimitQuote', value: dec(30), state: { dailyPnl: dec('-30.01') }, allowed: false, current: '30.01', required: '< 30' },

  { label: 'daily loss % equity: under', limit: 'dailyLossLimitPct', value: dec(3), state: { dailyPnl: dec('-29.99') }, allowed: true, current: '29.99', required: '< 30' },
  {
    label: 'daily loss % equity: at blocks',
    limit: 'dailyLossLimitPct',
    value: dec(3),
    state: { dailyPnl: dec(-30) },
    allowed: false,
    current: '30',
    required: '< 30',
    message: "daily loss limit: today's loss 30 USDT has reached 3% of equity (30 USDT)",
  },
  { label: 'daily loss % equity: over', limit: 'dailyLossLimitPct', value: dec(3), state: { dailyPnl: dec('-30.01') }, allowed: false, current: '30.01', required: '< 30' },

  { label: 'drawdown: under', limit: 'maxDrawdownPct', value: dec(10), state: { drawdownPct: dec('9.99') }, allowed: true, current: '9.99', required: '< 10' },
  {
    label: 'drawdown: at blocks',
    limit: 'maxDrawdownPct',
    value: dec(10),
    state: { drawdownPct: dec(10) },
    allowed: false,
    current: '10',
    required: '< 10',
    message: 'max drawdown: drawdown 10% has reached the limit of 10%',
  },
  { label: 'drawdown: over', limit: 'maxDrawdownPct', value: dec(10), state: { drawdownPct: dec('10.01') }, allowed: false, current: '10.01', required: '< 10' },

  { label: 'trades per day: under', limit: 'maxTradesPerDay', value: 20, state: { tradesToday: 18 }, allowed: true, current: '19', required: '<= 20' },
  { label: 'trades per day: at', limit: 'maxTradesPerDay', value: 20, state: { tradesToday: 19 }, allowed: true, current: '20', required: '<= 20' },
  {
    label: 'trades per day: over',
    limit: 'maxTradesPerDay',
    value: 20,
    state: { tradesToday: 20 },
    allowed: false,
    current: '21',
    required: '<= 20',
    message: 'max trades per day: 20 entries were already made today and at most 20 may be',
  },

  {
    label: 'cooldown: 1 ms short of it',
    limit: 'cooldownMinutes',
    value: 15,
    state: { lastEntryAtBySymbol: { BTCUSDT: T0 - 15 * MINUTE + 1 } },
    allowed: false,
    current: '14.99',
    required: '>= 15',
    message: 'cooldown per symbol: the last BTCUSDT entry was 14.99 minutes ago and entries on one symbol must be 15 minutes apart',
  },
  { label: 'cooldown: exactly elapsed', limit: 'cooldownMinutes', value: 15, state: { lastEntryAtBySymbol: { BTCUSDT: T0 - 15 * MINUTE } }, allowed: true, current: '15', required: '>= 15' },
  { label: 'cooldown: 1 ms past it', limit: 'cooldownMinutes', value: 15, state: { lastEntryAtBySymbol: { BTCUSDT: T0 - 15 * MINUTE - 1 } }, allowed: true, current: '15', required: '>= 15' },
  { label: 'cooldown: no earlier entry', limit: 'cooldownMinutes', value: 15, allowed: true, current: 'none', required: '>= 15' },
  { label: 'cooldown: another symbol traded a minute ago', limit: 'cooldownMinutes', value: 15, state: { lastEntryAtBySymbol: { ETHUSDT: T0 - MINUTE } }, allowed: true, current: 'none', required: '>= 15' },
  { label: 'cooldown: an entry dated in the future counts as just made', limit: 'cooldownMinutes', value: 15, state: { lastEntryAtBySymbol: { BTCUSDT: T0 + MINUTE } }, allowed: false, current: '-1', required: '>= 15' },

  { label: 'consecutive losses: under', limit: 'maxConsecutiveLosses', value: 4, state: { consecutiveLosses: 3 }, allowed: true, current: '3', required: '< 4' },
  {
    label: 'consecutive losses: at blocks',
    limit: 'maxConsecutiveLosses',
    value: 4,
    state: { consecutiveLosses: 4 },
    allowed: false,
    current: '4',
    required: '< 4',
    message: 'max consecutive losses: a streak of 4 losing trades has reached the limit of 4',
  },
  { label: 'consecutive losses: over', limit: 'maxConsecutiveLosses', value: 4, state: { consecutiveLosses: 5 }, allowed: false, current: '5', required: '< 4' },

  {
    label: 'min order: under',
    limit: 'minOrderQuote',
    value: dec(10),
    intent: { notional: dec('9.99') },
    allowed: false,
    current: '9.99',
    required: '>= 10',
    message: 'min order size: order 9.99 USDT is below the minimum of 10 USDT',
  },
  { label: 'min order: at', limit: 'minOrderQuote', value: dec(10), intent: { notional: dec(10) }, allowed: true, current: '10', required: '>= 10' },
  { label: 'min order: over', limit: 'minOrderQuote', value: dec(10), intent: { notional: dec('10.01') }, allowed: true, current: '10.01', required: '>= 10' },

  { label: 'max order: under', limit: 'maxOrderQuote', value: dec(5000), intent: { notional: dec('4999.99') }, allowed: true, current: '4999.99', required: '<= 5000' },
  { label: 'max order: at', limit: 'maxOrderQuote', value: dec(5000), intent: { notional: dec(5000) }, allowed: true, current: '5000', required: '<= 5000' },
  {
    label: 'max order: over (fat finger)',
    limit: 'maxOrderQuote',
    value: dec(5000),
    intent: { notional: dec('5000.01') },
    allowed: false,
    current: '5000.01',
    required: '<= 5000',
    message: 'max order size: order 5000.01 USDT exceeds the maximum of 5000 USDT',
  },

  {
    label: 'duplicate: same symbol and side 1 ms inside the window',
    limit: 'duplicateWindowSeconds',
    value: 60,
    state: { recentEntries: [{ symbol: 'BTCUSDT', side: 'LONG', at: T0 - 59_999 }] },
    allowed: false,
    current: '59.999',
    required: '>= 60',
    message: 'duplicate order window: a LONG BTCUSDT entry was made 59.999 seconds ago, within the 60-second duplicate window',
  },
  { label: 'duplicate: exactly the window ago', limit: 'duplicateWindowSeconds', value: 60, state: { recentEntries: [{ symbol: 'BTCUSDT', side: 'LONG', at: T0 - 60_000 }] }, allowed: true, current: '60', required: '>= 60' },
  { label: 'duplicate: 1 ms outside the window', limit: 'duplicateWindowSeconds', value: 60, state: { recentEntries: [{ symbol: 'BTCUSDT', side: 'LONG', at: T0 - 60_001 }] }, allowed: true, current: '60.001', required: '>= 60' },
  {
    label: 'duplicate: the newest matching entry decides',
    limit: 'duplicateWindowSeconds',
    value: 60,
    state: {
      recentEntries: [
        { symbol: 'BTCUSDT', side: 'LONG', at: T0 - 90_000 },
        { symbol: 'BTCUSDT', side: 'LONG', at: T0 - 5_000 },
        { symbol: 'BTCUSDT', side: 'LONG', at: T0 - 70_000 },
      ],
    },
    allowed: false,
    current: '5',
    required: '>= 60',
  },
  { label: 'duplicate: the opposite side a second ago is not a duplicate', limit: 'duplicateWindowSeconds', value: 60, state: { recentEntries: [{ symbol: 'BTCUSDT', side: 'SHORT', at: T0 - 1_000 }] }, allowed: true, current: 'none', required: '>= 60' },
  { label: 'duplicate: another symbol a second ago is not a duplicate', limit: 'duplicateWindowSeconds', value: 60, state: { recentEntries: [{ symbol: 'ETHUSDT', side: 'LONG', at: T0 - 1_000 }] }, allowed: true, current: 'none', required: '>= 60' },
]

function run(row: Row, limits: RiskLimits, scope: RiskScope = 'trader') {
  return checkOrderRisk({ scope, limits, state: state(row.state), intent: intent(row.intent), quoteCurrency: 'USDT' })
}

describe('checkOrderRisk: one limit at a time', () => {
  test('the table covers every limit with a case that passes and one that blocks', () => {
    for (const limit of Object.keys(LIMIT_LABELS) as RiskLimitName[]) {
      const outcomes = new Set(rows.filter((r) => r.limit === limit).map((r) => r.allowed))
      expect([limit, [...outcomes].sort()]).toEqual([limit, [false, true]])
    }
  })

  test.each(rows)('$label', (row) => {
    const result = run(row, { [row.limit]: row.value })
    expect(result.constraints).toEqual([
      { name: LIMIT_LABELS[row.limit], satisfied: row.allowed, currentValue: row.current, requiredValue: row.required },
    ])
    expect(result.isValid).toBe(row.allowed)
    if (row.allowed) {
      expect(result.violations).toEqual([])
      expect(result.errors).toEqual([])
    } else {
      const [violation] = result.violations
      expect(result.violations).toHaveLength(1)
      expect(violation).toMatchObject({
        limit: row.limit,
        label: LIMIT_LABELS[row.limit],
        currentValue: row.current,
        allowedValue: row.required.split(' ')[1],
      })
      expect(result.errors).toEqual([violation!.message])
      if (row.message) expect(violation!.message).toBe(row.message)
    }
  })

  test.each(rows.filter((r) => !r.allowed))('disabled (null or absent), never fires: $label', (row) => {
    for (const limits of [{ [row.limit]: null }, {}]) {
      const result = run(row, limits)
      expect(result).toEqual({ isValid: true, errors: [], warnings: [], constraints: [], violations: [] })
    }
  })
})

// Every limit breached at once: a tiny cap, a huge floor, and a state past every loss limit.
const EVERYTHING_BREACHED: { limits: Required<RiskLimits>; state: RiskState } = {
  limits: {
    maxPositionQuote: dec(1),
    maxPositionPctEquity: dec(1),
    maxConcurrentPositions: 1,
    maxExposureQuote: dec(1),
    maxExposurePctEquity: dec(1),
    maxRiskPerTradePct: dec('0.1'),
    dailyLossLimitQuote: dec(1),
    dailyLossLimitPct: dec(1),
    maxDrawdownPct: dec(1),
    maxTradesPerDay: 1,
    cooldownMinutes: 60,
    maxConsecutiveLosses: 1,
    minOrderQuote: dec(1_000_000),
    maxOrderQuote: dec(1),
    duplicateWindowSeconds: 3600,
  },
  state: state({
    openPositions: 5,
    exposureQuote: dec(900),
    dailyPnl: dec(-500),
    drawdownPct: dec(50),
    tradesToday: 10,
    lastEntryAtBySymbol: { BTCUSDT: T0 - MINUTE },
    consecutiveLosses: 9,
    recentEntries: [
      { symbol: 'BTCUSDT', side: 'LONG', at: T0 - 1_000 },
      { symbol: 'BTCUSDT', side: 'SHORT', at: T0 - 1_000 },
    ],
  }),
}

describe('checkOrderRisk: risk-reducing orders are never blocked', () => {
  const cases = (['trader', { userBook: 'paper USDT' }] as const).flatMap((scope) =>
    (['LONG', 'SHORT'] as const).map((side) => ({ label: `${scope === 'trader' ? 'trader' : 'user-wide'} scope, ${side}`, scope, side })),
  )

  test.each(cases)('an entry breaches every limit: $label', ({ scope, side }) => {
    const { limits, state } = EVERYTHING_BREACHED
    const result = checkOrderRisk({ scope, limits, state, intent: intent({ side, notional: dec(100), riskAmount: dec(50) }) })
    expect(result.isValid).toBe(false)
    expect(result.violations.map((v) => v.limit)).toEqual(Object.keys(LIMIT_LABELS))
  })

  test.each(cases)('a risk-reducing order passes anyway: $label', ({ scope, side }) => {
    const { limits, state } = EVERYTHING_BREACHED
    const order = intent({ kind: 'RISK_REDUCING', side, notional: dec(100), riskAmount: dec(50) })
    expect(checkOrderRisk({ scope, limits, state, intent: order })).toEqual({
      isValid: true,
      errors: [],
      warnings: [],
      constraints: [],
      violations: [],
    })
  })
})

describe('checkOrderRisk: several limits together', () => {
  test('violations come in the order limits are declared, and errors are their messages', () => {
    const result = checkOrderRisk({
      scope: 'trader',
      limits: DEFAULT_TRADER_LIMITS,
      state: state({ equity: dec(10000), tradesToday: 20, consecutiveLosses: 4 }),
      intent: intent({ notional: dec(6000), riskAmount: dec(50) }),
      quoteCurrency: 'USDT',
    })
    expect(result.violations.map((v) => v.limit)).toEqual([
      'maxPositionPctEquity',
      'maxExposurePctEquity',
      'maxTradesPerDay',
      'maxConsecutiveLosses',
      'maxOrderQuote',
    ])
    expect(result.errors).toEqual(result.violations.map((v) => v.message))
    expect(result.constraints.filter((c) => !c.satisfied)).toHaveLength(5)
  })

  test('user-wide messages and constraint names say the limit is user-wide, and over which book', () => {
    const result = checkOrderRisk({
      scope: { userBook: 'live USDT' },
      limits: DEFAULT_ACCOUNT_LIMITS,
      state: state({ openPositions: 10 }),
      intent: intent(),
      quoteCurrency: 'USDT',
    })
    expect(result.violations).toEqual([
      {
        limit: 'maxConcurrentPositions',
        label: 'user-wide max open positions (live USDT)',
        currentValue: '11',
        allowedValue: '10',
        message: 'user-wide max open positions (live USDT): 10 positions are already open and at most 10 may be',
      },
    ])
    expect(result.constraints.map((c) => c.name)).toEqual([
      'user-wide max open positions (live USDT)',
      'user-wide max total exposure (live USDT)',
      'user-wide daily loss limit (live USDT)',
      'user-wide max drawdown (live USDT)',
    ])
  })

  test('without a quote currency, amounts are shown bare', () => {
    const result = checkOrderRisk({
      scope: 'trader',
      limits: { maxPositionPctEquity: dec(10) },
      state: state({ equity: dec(10000) }),
      intent: intent({ notional: dec(1200) }),
    })
    expect(result.errors).toEqual(['max position size: order 1200 exceeds 10% of equity (1000)'])
  })

  test('the default trader limits let a typical entry through, checking each enabled limit', () => {
    const result = checkOrderRisk({
      scope: 'trader',
      limits: DEFAULT_TRADER_LIMITS,
      state: state({ equity: dec(10000), openPositions: 1, exposureQuote: dec(800), tradesToday: 3 }),
      intent: intent({ notional: dec(500), riskAmount: dec(40) }),
    })
    expect(result.isValid).toBe(true)
    const enabled = Object.entries(DEFAULT_TRADER_LIMITS).filter(([, v]) => v !== null && v !== undefined)
    expect(result.constraints).toHaveLength(enabled.length)
    expect(result.constraints.every((c) => c.satisfied)).toBe(true)
  })
})

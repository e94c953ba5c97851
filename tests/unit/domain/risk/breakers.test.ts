import { describe, expect, test } from 'vitest'
import { dec, ZERO, type Decimal } from '@/lib/domain/decimal'
import { consecutiveLossesFrom, drawdownPct, evaluateBreakers, type BreakerTrip } from '@/lib/domain/risk/breakers'
import type { LossState } from '@/lib/domain/risk/loss-limit-checks'
import { DEFAULT_TRADER_LIMITS, type RiskLimits } from '@/lib/domain/risk/risk-limits'

const calm: LossState = { equity: dec(1000), dailyPnl: ZERO, drawdownPct: ZERO, consecutiveLosses: 0 }

const LIMITS: RiskLimits = {
  dailyLossLimitQuote: dec(40),
  dailyLossLimitPct: dec(3),
  maxDrawdownPct: dec(10),
  maxConsecutiveLosses: 4,
}

describe('evaluateBreakers', () => {
  test.each<{ label: string; limits?: RiskLimits; state: Partial<LossState>; trip: Omit<BreakerTrip, 'label' | 'reason'> | null; reason?: string }>([
    { label: 'nothing reached', state: {}, trip: null },
    { label: 'a profitable day', state: { dailyPnl: dec(500) }, trip: null },

    { label: 'daily loss %: just under', state: { dailyPnl: dec('-29.99') }, trip: null },
    {
      label: 'daily loss %: exactly at pauses',
      state: { dailyPnl: dec(-30) },
      trip: { action: 'PAUSE', limit: 'dailyLossLimitPct', currentValue: '30', allowedValue: '30' },
      reason: "daily loss limit: today's loss 30 USDT has reached 3% of equity (30 USDT)",
    },
    { label: 'daily loss %: just over pauses', state: { dailyPnl: dec('-30.01') }, trip: { action: 'PAUSE', limit: 'dailyLossLimitPct', currentValue: '30.01', allowedValue: '30' } },

    { label: 'daily loss amount: just under', limits: { dailyLossLimitQuote: dec(40) }, state: { dailyPnl: dec('-39.99') }, trip: null },
    {
      label: 'daily loss amount: exactly at pauses',
      limits: { dailyLossLimitQuote: dec(40) },
      state: { dailyPnl: dec(-40) },
      trip: { action: 'PAUSE', limit: 'dailyLossLimitQuote', currentValue: '40', allowedValue: '40' },
      reason: "daily loss limit: today's loss 40 USDT has reached the limit of 40 USDT",
    },
    { label: 'daily loss amount: just over pauses', limits: { dailyLossLimitQuote: dec(40) }, state: { dailyPnl: dec('-40.01') }, trip: { action: 'PAUSE', limit: 'dailyLossLimitQuote', currentValue: '40.01', allowedValue: '40' } },
    { label: 'daily loss: the amount limit is reported before the percent one', state: { dailyPnl: dec(-45) }, trip: { action: 'PAUSE', limit: 'dailyLossLimitQuote', currentValue: '45', allowedValue: '40' } },

    { label: 'drawdown: just under', state: { drawdownPct: dec('9.99') }, trip: null },
    {
      label: 'drawdown: exactly at halts',
      state: { drawdownPct: dec(10) },
      trip: { action: 'HALT', limit: 'maxDrawdownPct', currentValue: '10', allowedValue: '10' },
      reason: 'max drawdown: drawdown 10% has reached the limit of 10%',
    },
    { label: 'drawdown: just over halts', state: { drawdownPct: dec('10.01') }, trip: { action: 'HALT', limit: 'maxDrawdownPct', currentValue: '10.01', allowedValue: '10' } },

    { label: 'losing streak: just under', state: { consecutiveLosses: 3 }, trip: null },
    {
      label: 'losing streak: exactly at pauses',
      state: { consecutiveLosses: 4 },
      trip: { action: 'PAUSE', limit: 'maxConsecutiveLosses', currentValue: '4', allowedValue: '4' },
      reason: 'max consecutive losses: a streak of 4 losing trades has reached the limit of 4',
    },
    { label: 'losing streak: over pauses', state: { consecutiveLosses: 5 }, trip: { action: 'PAUSE', limit: 'maxConsecutiveLosses', currentValue: '5', allowedValue: '4' } },

    {
      label: 'drawdown outranks a daily loss and a streak',
      state: { dailyPnl: dec(-100), drawdownPct: dec(12), consecutiveLosses: 6 },
      trip: { action: 'HALT', limit: 'maxDrawdownPct', currentValue: '12', allowedValue: '10' },
    },
    {
      label: 'a daily loss outranks a streak',
      state: { dailyPnl: dec(-35), consecutiveLosses: 6 },
      trip: { action: 'PAUSE', limit: 'dailyLossLimitPct', currentValue: '35', allowedValue: '30' },
    },
    { label: 'no equity: the percent daily loss limit trips even without a loss', limits: { dailyLossLimitPct: dec(3) }, state: { equity: ZERO }, trip: { action: 'PAUSE', limit: 'dailyLossLimitPct', currentValue: '0', allowedValue: '0' } },

    { label: 'all limits disabled (null): nothing trips', limits: { dailyLossLimitQuote: null, dailyLossLimitPct: null, maxDrawdownPct: null, maxConsecutiveLosses: null }, state: { dailyPnl: dec(-900), drawdownPct: dec(90), consecutiveLosses: 50 }, trip: null },
    { label: 'all limits absent: nothing trips', limits: {}, state: { dailyPnl: dec(-900), drawdownPct: dec(90), consecutiveLosses: 50 }, trip: null },
    { label: 'size and pace limits never trip a breaker', limits: { ...DEFAULT_TRADER_LIMITS, dailyLossLimitPct: null, maxDrawdownPct: null, maxConsecutiveLosses: null }, state: { dailyPnl: dec(-900), drawdownPct: dec(90), consecutiveLosses: 50 }, trip: null },
  ])('$label', ({ limits = LIMITS, state, trip, reason }) => {
    const result = evaluateBreakers({ limits, state: { ...calm, ...state }, quoteCurrency: 'USDT' })
    if (trip === null) {
      expect(result).toBeNull()
      return
    }
    expect(result).toMatchObject(trip)
    expect(result!.reason.startsWith(`${result!.label}: `)).toBe(true)
    if (reason) expect(result!.reason).toBe(reason)
  })

  test('a user-wide scope names the limit as user-wide, with its book', () => {
    const trip = evaluateBreakers({ scope: { userBook: 'testnet EUR' }, limits: LIMITS, state: { ...calm, drawdownPct: dec(20) } })
    expect(trip).toEqual({
      action: 'HALT',
      limit: 'maxDrawdownPct',
      label: 'user-wide max drawdown (testnet EUR)',
      currentValue: '20',
      allowedValue: '10',
      reason: 'user-wide max drawdown (testnet EUR): drawdown 20% has reached the limit of 10%',
    })
  })
})

describe('consecutiveLossesFrom (newest first)', () => {
  const pnls = (...values: string[]) => values.map((v) => dec(v))
  test.each<{ label: string; pnls: Decimal[]; streak: number }>([
    { label: 'no trades', pnls: [], streak: 0 },
    { label: 'latest trade won', pnls: pnls('5', '-1', '-1'), streak: 0 },
    { label: 'two losses since the last win', pnls: pnls('-1', '-2.5', '3', '-4'), streak: 2 },
    { label: 'only losses', pnls: pnls('-1', '-1', '-1'), streak: 3 },
    { label: 'a tiny loss (fees) counts', pnls: pnls('-0.00000001', '1'), streak: 1 },
    { label: 'a break-even trade neither counts nor ends the streak', pnls: pnls('-1', '0', '-1', '2', '-1'), streak: 2 },
    { label: 'only break-even trades', pnls: pnls('0', '0'), streak: 0 },
  ])('$label', ({ pnls, streak }) => {
    expect(consecutiveLossesFrom(pnls)).toBe(streak)
  })
})

describe('drawdownPct', () => {
  test.each<{ label: string; peak: string; now: string; base: string; pct: string }>([
    { label: 'at the peak', peak: '100', now: '100', base: '1000', pct: '0' },
    { label: 'above the recorded peak', peak: '100', now: '150', base: '1000', pct: '0' },
    { label: 'half the gains given back', peak: '100', now: '50', base: '1000', pct: '5' },
    { label: 'below the starting point', peak: '0', now: '-150', base: '1000', pct: '15' },
    { label: 'exact, not float', peak: '0.3', now: '0.1', base: '2', pct: '10' },
    { label: 'a repeating fraction', peak: '10', now: '0', base: '30', pct: '33.33333333333333333333333333333333333333' },
    { label: 'no base and a drawdown: trips every limit', peak: '10', now: '0', base: '0', pct: 'Infinity' },
    { label: 'no base and no drawdown', peak: '10', now: '10', base: '0', pct: '0' },
  ])('$label', ({ peak, now, base, pct }) => {
    expect(drawdownPct(dec(peak), dec(now), dec(base)).toFixed()).toBe(pct)
  })

  test('an infinite drawdown halts through evaluateBreakers', () => {
    const state = { ...calm, drawdownPct: drawdownPct(dec(10), ZERO, ZERO) }
    expect(evaluateBreakers({ limits: { maxDrawdownPct: dec(10) }, state })?.action).toBe('HALT')
  })
})

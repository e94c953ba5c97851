import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import type { Metric } from '@/lib/domain/performance/metric'
import { sqn, tradeStats } from '@/lib/domain/performance/trade-stats'

const trades = (pnls: string[], fees?: string[]) => pnls.map((p, i) => ({ pnl: dec(p), fees: dec(fees?.[i] ?? '0') }))
/** A metric as text: its value with `dp` places, or "— reason". */
const m = (x: Metric, dp?: number) => (x.value === null ? `— ${x.reason}` : dp === undefined ? x.value.toFixed() : x.value.toFixed(dp))

describe('tradeStats', () => {
  test.each([
    {
      label: 'two wins, two losses and a zero-PnL trade',
      pnls: ['10', '-4', '6', '-2', '0'],
      fees: ['1', '1', '0.5', '0.5', '0.2'],
      // wins 10 + 6 = 16; losses −4 − 2 = −6; total 10; fees 1 + 1 + 0.5 + 0.5 + 0.2 = 3.2
      // win rate 2 / 5 = 0.4; profit factor 16 / 6 = 2.6667
      // expectancy 0.4 × 8 − 0.4 × 3 = 3.2 − 1.2 = 2 (= 10 / 5)
      // SQN: mean 2, deviations 8 −6 4 −4 −2, squares 64 + 36 + 16 + 16 + 4 = 136, /4 = 34,
      //      √5 × 2 / √34 = 2 × √(5/34) = 0.7670
      expected: {
        closed: 5, wins: 2, losses: 2, breakeven: 1, total: '10', grossProfit: '16', grossLoss: '-6', fees: '3.2',
        winRate: '0.4', profitFactor: '2.6667', expectancy: '2', avgWin: '8', avgLoss: '-3', largestWin: '10', largestLoss: '-4', sqn: '0.7670',
        runWins: 1, runLosses: 1,
      },
    },
    {
      label: 'no losing trade: profit factor and the loss figures say why they are missing',
      pnls: ['5', '3'],
      fees: ['0.1', '0.1'],
      // mean 4, deviations ±1, squares 2, /1 → sd √2; SQN √2 × 4 / √2 = 4
      expected: {
        closed: 2, wins: 2, losses: 0, breakeven: 0, total: '8', grossProfit: '8', grossLoss: '0', fees: '0.2',
        winRate: '1', profitFactor: '— no losing trades (no loss to divide by)', expectancy: '4', avgWin: '4', avgLoss: '— no losing trades',
        largestWin: '5', largestLoss: '— no losing trades', sqn: '4.0000', runWins: 2, runLosses: 0,
      },
    },
    {
      label: 'only losses',
      pnls: ['-1', '-3'],
      // profit factor 0 / 4 = 0; mean −2, deviations ±1 → sd √2; SQN √2 × −2 / √2 = −2
      expected: {
        closed: 2, wins: 0, losses: 2, breakeven: 0, total: '-4', grossProfit: '0', grossLoss: '-4', fees: '0',
        winRate: '0', profitFactor: '0.0000', expectancy: '-2', avgWin: '— no winning trades', avgLoss: '-2', largestWin: '— no winning trades', largestLoss: '-3', sqn: '-2.0000',
        runWins: 0, runLosses: 2,
      },
    },
    {
      label: 'only zero-PnL trades',
      pnls: ['0', '0'],
      expected: {
        closed: 2, wins: 0, losses: 0, breakeven: 2, total: '0', grossProfit: '0', grossLoss: '0', fees: '0',
        winRate: '0', profitFactor: '— no winning or losing trades', expectancy: '0', avgWin: '— no winning trades', avgLoss: '— no losing trades',
        largestWin: '— no winning trades', largestLoss: '— no losing trades', sqn: '— every trade had the same PnL', runWins: 0, runLosses: 0,
      },
    },
    {
      label: 'no trades at all',
      pnls: [],
      expected: {
        closed: 0, wins: 0, losses: 0, breakeven: 0, total: '0', grossProfit: '0', grossLoss: '0', fees: '0',
        winRate: '— no closed trades', profitFactor: '— no closed trades', expectancy: '— no closed trades', avgWin: '— no closed trades', avgLoss: '— no closed trades',
        largestWin: '— no closed trades', largestLoss: '— no closed trades', sqn: '— needs at least 2 closed trades', runWins: 0, runLosses: 0,
      },
    },
    {
      label: 'decimal PnL stays exact (0.1 + 0.2 − 0.05 is 0.25, not 0.25000000000000006)',
      pnls: ['0.1', '0.2', '-0.05'],
      fees: ['0.001', '0.002', '0.0005'],
      // expectancy 0.25 / 3 = 0.083333…; profit factor 0.3 / 0.05 = 6
      // SQN: mean 0.083333…, deviations 0.016667, 0.116667, −0.133333: squares 0.000278 + 0.013611 + 0.017778 = 0.031667, /2 = 0.015833,
      //      sd 0.125831; √3 × 0.083333 / 0.125831 = 1.1471
      expected: {
        closed: 3, wins: 2, losses: 1, breakeven: 0, total: '0.25', grossProfit: '0.3', grossLoss: '-0.05', fees: '0.0035',
        winRate: '0.66666667', profitFactor: '6.0000', expectancy: '0.08333333', avgWin: '0.15', avgLoss: '-0.05', largestWin: '0.2', largestLoss: '-0.05', sqn: '1.1471',
        runWins: 2, runLosses: 1,
      },
    },
    {
      label: 'runs: three wins, then two losses; a zero-PnL trade breaks a run',
      pnls: ['1', '2', '3', '-1', '-1', '2', '0', '5'],
      // wins 1 + 2 + 3 + 2 + 5 = 13 (5 of 8), losses −2 (2), one zero; total 11
      // win rate 5 / 8 = 0.625; average win 13 / 5 = 2.6; expectancy 11 / 8 = 1.375; profit factor 13 / 2 = 6.5
      expected: {
        closed: 8, wins: 5, losses: 2, breakeven: 1, total: '11', grossProfit: '13', grossLoss: '-2', fees: '0',
        winRate: '0.625', profitFactor: '6.5000', expectancy: '1.375', avgWin: '2.6', avgLoss: '-1', largestWin: '5', largestLoss: '-1', sqn: null,
        runWins: 3, runLosses: 2,
      },
    },
  ])('$label', ({ pnls, fees, expected }) => {
    const s = tradeStats(trades(pnls, fees))
    const q = (x: Metric) => (x.value === null ? m(x) : x.value.toDecimalPlaces(8).toFixed())
    expect({
      closed: s.closedTrades,
      wins: s.wins,
      losses: s.losses,
      breakeven: s.breakeven,
      total: s.totalPnl.toFixed(),
      grossProfit: s.grossProfit.toFixed(),
      grossLoss: s.grossLoss.toFixed(),
      fees: s.feesPaid.toFixed(),
      winRate: q(s.winRate),
      profitFactor: m(s.profitFactor, 4),
      expectancy: q(s.expectancy),
      avgWin: q(s.avgWin),
      avgLoss: q(s.avgLoss),
      largestWin: m(s.largestWin),
      largestLoss: m(s.largestLoss),
      sqn: expected.sqn === null ? null : m(s.sqn, 4),
      runWins: s.maxConsecutiveWins,
      runLosses: s.maxConsecutiveLosses,
    }).toEqual(expected)
  })
})

describe('sqn', () => {
  test.each([
    // mean 2, deviations ±2, squares 4 + 4 = 8, /1 → sd √8; √2 × 2 / √8 = 2 × √(2/8) = 2 × 0.5 = 1
    { label: 'two trades 0 and 4', pnls: ['0', '4'], expected: '1.0000' },
    // mean 1, deviations 1, −1, 1, −1 → squares 4, /3 → sd √(4/3); √4 × 1 / √(4/3) = 2 × √(3/4) = √3 = 1.7321
    { label: 'four trades 2, 0, 2, 0', pnls: ['2', '0', '2', '0'], expected: '1.7321' },
    { label: 'one trade is too few', pnls: ['3'], expected: '— needs at least 2 closed trades' },
  ])('$label', ({ pnls, expected }) => {
    expect(m(sqn(pnls.map((p) => dec(p))), 4)).toBe(expected)
  })
})

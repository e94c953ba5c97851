import { describe, expect, it } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { dailySummary, dailySummaryMessage, type SummaryClosedTrade, type SummaryOpenPosition } from '@/lib/domain/notifications/daily-summary'

const trade = (pnl: string, fees: string, o: Partial<SummaryClosedTrade> = {}): SummaryClosedTrade => ({ mode: 'PAPER', currency: 'USDT', pnl: dec(pnl), fees: dec(fees), ...o })
const open = (side: 'LONG' | 'SHORT', entry: string, qty: string, stop: string | null, o: Partial<SummaryOpenPosition> = {}): SummaryOpenPosition => ({
  mode: 'PAPER',
  currency: 'USDT',
  side,
  avgEntryPrice: dec(entry),
  openQty: dec(qty),
  stopLoss: stop === null ? null : dec(stop),
  ...o,
})

describe('dailySummary', () => {
  it.each([
    // label, trades, open positions, expected [closedTrades, wins, pnl, fees, openPositions, openRisk, unprotected]
    ['nothing at all', [], [], []],
    ['a win, a loss and a breakeven: one win, exact sums', [trade('12.5', '0.1'), trade('-3.3', '0.2'), trade('0', '0.05')], [], [[3, 1, '9.2', '0.35', 0, '0', 0]]],
    // 0.1 + 0.2 in floats is 0.30000000000000004.
    ['decimals stay exact', [trade('0.1', '0.1'), trade('0.2', '0.2')], [], [[2, 2, '0.3', '0.3', 0, '0', 0]]],
    // (60000 − 59000) × 0.05 = 50; (3100 − 3000) × 0.5 = 50.
    ['a long and a short with stops', [], [open('LONG', '60000', '0.05', '59000'), open('SHORT', '3000', '0.5', '3100')], [[0, 0, '0', '0', 2, '100', 0]]],
    // Stops at or past the entry lock in profit: they risk nothing.
    ['stops at break-even or in profit risk nothing', [], [open('LONG', '100', '2', '100'), open('LONG', '100', '2', '110'), open('SHORT', '100', '1', '90')], [[0, 0, '0', '0', 3, '0', 0]]],
    // (100 − 95.5) × 0.333 = 1.4985; the one without a stop is counted, not summed.
    ['positions without a stop are counted apart', [], [open('LONG', '100', '0.333', '95.5'), open('SHORT', '50', '10', null)], [[0, 0, '0', '0', 2, '1.4985', 1]]],
  ] as const)('%s', (_label, trades, positions, expected) => {
    const groups = dailySummary(trades as readonly SummaryClosedTrade[], positions as readonly SummaryOpenPosition[])
    expect(groups.map((g) => [g.closedTrades, g.wins, g.pnl.toFixed(), g.fees.toFixed(), g.openPositions, g.openRisk.toFixed(), g.unprotected])).toEqual(expected)
  })

  it('never adds paper, testnet and live, nor two quote currencies, and orders paper, testnet, live then currency', () => {
    const groups = dailySummary(
      [trade('10', '1', { mode: 'LIVE' }), trade('5', '0.5'), trade('7', '0.7', { currency: 'BTC' }), trade('-2', '0.2', { mode: 'TESTNET' })],
      [open('LONG', '100', '1', '90', { mode: 'LIVE' })],
    )
    expect(groups.map((g) => [g.mode, g.currency, g.pnl.toFixed(), g.openRisk.toFixed()])).toEqual([
      ['PAPER', 'BTC', '7', '0'],
      ['PAPER', 'USDT', '5', '0'],
      ['TESTNET', 'USDT', '-2', '0'],
      ['LIVE', 'USDT', '10', '10'],
    ])
  })
})

describe('dailySummaryMessage', () => {
  const period = { from: '2026-03-09 08:00', to: '2026-03-10 08:00', timeZone: 'Asia/Tokyo' }

  it.each([
    ['nothing to report', [], [], 'Daily summary, 2026-03-09 08:00 to 2026-03-10 08:00 (Asia/Tokyo):\nNo closed trades and no open positions.'],
    [
      'trades and open positions',
      [trade('12.5', '0.3'), trade('-2.5', '0.2')],
      [open('LONG', '100', '2', '90'), open('LONG', '100', '1', null)],
      'Daily summary, 2026-03-09 08:00 to 2026-03-10 08:00 (Asia/Tokyo):\nPAPER USDT: PnL +10, 2 closed trades (1 win), fees 0.5; 2 open positions, open risk 20 (1 without a stop)',
    ],
    [
      'a loss, one trade; open positions only in live',
      [trade('-4.25', '0.25')],
      [open('SHORT', '10', '3', '11', { mode: 'LIVE' })],
      'Daily summary, 2026-03-09 08:00 to 2026-03-10 08:00 (Asia/Tokyo):\nPAPER USDT: PnL -4.25, 1 closed trade (0 wins), fees 0.25; no open positions\nLIVE USDT: no closed trades; 1 open position, open risk 3',
    ],
  ] as const)('%s', (_label, trades, positions, text) => {
    expect(dailySummaryMessage(dailySummary(trades as readonly SummaryClosedTrade[], positions as readonly SummaryOpenPosition[]), period)).toBe(text)
  })
})

import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { breakdownBy } from '@/lib/domain/performance/trade-breakdown'
import { tradeSource } from '@/lib/domain/performance/trade-source'

describe('tradeSource', () => {
  test.each([
    ['no decision opened it: a person did', null, 'MANUAL'],
    ['the rules provider on its schedule', { provider: 'RULES', trigger: 'SCHEDULE' }, 'RULES'],
    ['the rules provider, analysis asked for by a person', { provider: 'RULES', trigger: 'MANUAL' }, 'RULES'],
    ['an OpenAI-compatible model', { provider: 'OPENAI_COMPATIBLE', trigger: 'SCHEDULE' }, 'AI'],
    ['Anthropic', { provider: 'ANTHROPIC', trigger: 'SCHEDULE' }, 'AI'],
    ['a decision a signal started', { provider: 'RULES', trigger: 'SIGNAL' }, 'SIGNAL'],
  ] as const)('%s', (_label, opening, expected) => {
    expect(tradeSource(opening)).toBe(expected)
  })

  test.each([
    ['no decision', null],
    ['a rules decision recorded against it', { provider: 'RULES', trigger: 'SCHEDULE' }],
  ] as const)('a webhook signal opened it (%s): SIGNAL', (_label, opening) => {
    expect(tradeSource(opening, true)).toBe('SIGNAL')
  })
})

describe('breakdownBy', () => {
  test('statistics per group, groups in order of first appearance', () => {
    const trades = [
      { symbol: 'ETH/USDT', pnl: dec('3'), fees: dec('0.1') },
      { symbol: 'BTC/USDT', pnl: dec('-1'), fees: dec('0.2') },
      { symbol: 'ETH/USDT', pnl: dec('-2'), fees: dec('0.1') },
    ]
    // ETH: 3 − 2 = 1, one win of two, fees 0.2; BTC: −1, fees 0.2
    expect(breakdownBy(trades, (t) => t.symbol).map((g) => [g.key, g.stats.closedTrades, g.stats.wins, g.stats.totalPnl.toFixed(), g.stats.feesPaid.toFixed()])).toEqual([
      ['ETH/USDT', 2, 1, '1', '0.2'],
      ['BTC/USDT', 1, 0, '-1', '0.2'],
    ])
  })
})

import { describe, expect, it } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { buildDecisionContext, type ContextInputs } from '@/lib/server/decisions/build-decision-context'

const at = new Date('2026-12-01T00:00:00Z')

function inputs(account: ContextInputs['account']): ContextInputs {
  return {
    trader: { name: 'Sats', quoteCurrency: 'BTC' },
    canShort: false,
    minConfidence: dec('0.6'),
    maxStopDistancePct: dec('5'),
    maxPositionQuote: null,
    symbol: 'ETH/BTC',
    now: at.getTime(),
    snapshot: {
      quote: { symbol: 'ETH/BTC', bid: dec('0.0351'), ask: dec('0.03511'), last: dec('0.0351'), source: 'test', exchangeTs: at, receivedAt: at },
      rules: { symbol: 'ETH/BTC', base: 'ETH', quote: 'BTC', tickSize: dec('0.00001'), stepSize: dec('0.0001'), minQty: dec('0.0001'), minNotional: dec('0.0001') },
      position: null,
      positionState: null,
    },
    candles: {},
    atr: null,
    volatility: null,
    recentDecisions: [],
    account,
    tradesToday: 0,
    paused: false,
  }
}

describe('buildDecisionContext', () => {
  it("gives the model a BTC-quoted account's amounts to six significant digits, not two places", () => {
    const ctx = buildDecisionContext(inputs({ equity: dec('0.0512345678'), available: dec('0.004987654321'), openPositions: 0, dailyPnl: dec('-0.000123456789') }))
    expect(ctx.account).toEqual({ equity: '0.0512346', available: '0.00498765', openPositions: 0, dailyPnl: '-0.00012346' })
  })

  it('keeps a USDT account at cents', () => {
    const ctx = buildDecisionContext(inputs({ equity: dec('9899.6856332046'), available: dec('9000'), openPositions: 1, dailyPnl: dec('-12.4') }))
    expect(ctx.account).toEqual({ equity: '9899.69', available: '9000.00', openPositions: 1, dailyPnl: '-12.40' })
  })
})

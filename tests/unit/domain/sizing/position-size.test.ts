import { describe, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { sizePosition, type SizingCaps, type SizingInput, type SizingMode } from '@/lib/domain/sizing/position-size'

const FIXED = (amount: string): SizingMode => ({ mode: 'FIXED_QUOTE', amount: dec(amount) })
const EQUITY = (pct: string): SizingMode => ({ mode: 'EQUITY_PCT', pct: dec(pct) })
const RISK = (riskPct: string): SizingMode => ({ mode: 'RISK_PCT', riskPct: dec(riskPct) })
const SCALED = (riskPct: string): SizingMode => ({ mode: 'CONFIDENCE_SCALED', riskPct: dec(riskPct) })

/** Equity 10000 USDT, entry 50000, stop 49000: 1R = 1000 per unit. */
function input(over: Partial<SizingInput> & { sizing: SizingMode }): SizingInput {
  return {
    equity: dec(10000),
    entryPrice: dec(50000),
    stopLoss: dec(49000),
    confidence: dec('0.8'),
    minConfidence: dec('0.6'),
    caps: {},
    quote: 'USDT',
    ...over,
  }
}

const caps = (c: { quote?: string; pct?: string }): SizingCaps => ({
  ...(c.quote ? { maxPositionQuote: dec(c.quote) } : {}),
  ...(c.pct ? { maxPositionPctEquity: dec(c.pct) } : {}),
})

describe('sizePosition: modes', () => {
  test.each<{ label: string; in: SizingInput; qty: string; notional: string }>([
    { label: 'fixed quote amount', in: input({ sizing: FIXED('1000') }), qty: '0.02', notional: '1000' },
    { label: 'percent of equity', in: input({ sizing: EQUITY('10') }), qty: '0.02', notional: '1000' },
    // 1 % of 10000 = 100 at risk, / 1000 per unit
    { label: 'risk percent', in: input({ sizing: RISK('1') }), qty: '0.1', notional: '5000' },
    { label: 'risk percent, SHORT stop above entry', in: input({ sizing: RISK('1'), stopLoss: dec(51000) }), qty: '0.1', notional: '5000' },
    // factor (0.8 - 0.6) / (1 - 0.6) = 0.5
    { label: 'confidence scaled, halfway', in: input({ sizing: SCALED('1') }), qty: '0.05', notional: '2500' },
    { label: 'confidence scaled, confidence 1 → full risk', in: input({ sizing: SCALED('1'), confidence: dec(1) }), qty: '0.1', notional: '5000' },
    // raw factor 0.125 is lifted to the 0.25 floor
    { label: 'confidence scaled, just above the minimum → floor', in: input({ sizing: SCALED('1'), confidence: dec('0.65') }), qty: '0.025', notional: '1250' },
    { label: 'confidence scaled, confidence equal to the minimum → floor', in: input({ sizing: SCALED('1'), confidence: dec('0.6') }), qty: '0.025', notional: '1250' },
    { label: 'confidence scaled, just below the minimum → zero', in: input({ sizing: SCALED('1'), confidence: dec('0.59') }), qty: '0', notional: '0' },
    { label: 'confidence scaled, minimum 1 and confidence 1 → full risk', in: input({ sizing: SCALED('1'), confidence: dec(1), minConfidence: dec(1) }), qty: '0.1', notional: '5000' },
    { label: 'plain risk percent ignores confidence', in: input({ sizing: RISK('1'), confidence: dec('0.1') }), qty: '0.1', notional: '5000' },
  ])('$label', ({ in: i, qty, notional }) => {
    const r = sizePosition(i)
    expect({ qty: r.qty.toFixed(), notional: r.notional.toFixed(), cappedBy: r.cappedBy }).toEqual({ qty, notional, cappedBy: null })
  })
})

describe('sizePosition: caps', () => {
  test.each<{ label: string; in: SizingInput; qty: string; notional: string; cappedBy: string | null }>([
    { label: 'max quote binds', in: input({ sizing: RISK('1'), caps: caps({ quote: '2000' }) }), qty: '0.04', notional: '2000', cappedBy: 'max position size 2000 USDT' },
    { label: 'max quote equal to the size does not bind', in: input({ sizing: RISK('1'), caps: caps({ quote: '5000' }) }), qty: '0.1', notional: '5000', cappedBy: null },
    { label: 'max quote above the size does not bind', in: input({ sizing: RISK('1'), caps: caps({ quote: '6000' }) }), qty: '0.1', notional: '5000', cappedBy: null },
    { label: 'max % of equity binds', in: input({ sizing: RISK('1'), caps: caps({ pct: '30' }) }), qty: '0.06', notional: '3000', cappedBy: 'max position 30% of equity (3000 USDT)' },
    { label: 'max % of equity not binding', in: input({ sizing: EQUITY('10'), caps: caps({ pct: '30' }) }), qty: '0.02', notional: '1000', cappedBy: null },
    { label: 'decision size shrinks', in: input({ sizing: RISK('1'), decisionSizeQuote: dec(1500) }), qty: '0.03', notional: '1500', cappedBy: 'decision size 1500 USDT' },
    { label: 'decision size cannot grow the position', in: input({ sizing: FIXED('1000'), decisionSizeQuote: dec(10000) }), qty: '0.02', notional: '1000', cappedBy: null },
    { label: 'the smallest of several binding caps wins', in: input({ sizing: RISK('1'), caps: caps({ quote: '2000', pct: '30' }), decisionSizeQuote: dec(1500) }), qty: '0.03', notional: '1500', cappedBy: 'decision size 1500 USDT' },
    { label: 'equal binding caps report the first', in: input({ sizing: RISK('1'), caps: caps({ quote: '3000', pct: '30' }) }), qty: '0.06', notional: '3000', cappedBy: 'max position size 3000 USDT' },
    { label: 'a zero cap gives zero', in: input({ sizing: FIXED('1000'), caps: caps({ quote: '0' }) }), qty: '0', notional: '0', cappedBy: 'max position size 0 USDT' },
    { label: 'without a quote currency the label has no unit', in: input({ sizing: FIXED('1000'), caps: caps({ quote: '500' }), quote: undefined }), qty: '0.01', notional: '500', cappedBy: 'max position size 500' },
  ])('$label', ({ in: i, qty, notional, cappedBy }) => {
    const r = sizePosition(i)
    expect({ qty: r.qty.toFixed(), notional: r.notional.toFixed(), cappedBy: r.cappedBy }).toEqual({ qty, notional, cappedBy })
  })
})

describe('sizePosition: zero size instead of an error', () => {
  const zero = (label: string, i: SizingInput, explanation: string) => ({ label, in: i, explanation })
  test.each([
    zero('zero equity', input({ sizing: EQUITY('10'), equity: dec(0) }), 'equity 0 USDT must be greater than 0: size 0'),
    zero('negative equity', input({ sizing: FIXED('100'), equity: dec(-5) }), 'equity -5 USDT must be greater than 0: size 0'),
    zero('zero entry price', input({ sizing: FIXED('100'), entryPrice: dec(0) }), 'entry price 0 must be greater than 0: size 0'),
    zero('zero fixed amount', input({ sizing: FIXED('0') }), 'fixed amount 0 USDT must be greater than 0: size 0'),
    zero('negative equity share', input({ sizing: EQUITY('-1') }), 'equity share -1% must be greater than 0: size 0'),
    zero('zero risk', input({ sizing: RISK('0') }), 'risk 0% must be greater than 0: size 0'),
    zero('risk without a stop', input({ sizing: RISK('1'), stopLoss: null }), 'risk-based sizing needs a stop loss: size 0'),
    zero('stop at the entry', input({ sizing: SCALED('1'), stopLoss: dec(50000) }), 'stop loss 50000 equals the entry price: size 0'),
    zero('confidence below minimum', input({ sizing: SCALED('1'), confidence: dec('0.5') }), 'confidence 0.5 is below the minimum 0.6: size 0'),
  ])('$label', ({ in: i, explanation }) => {
    const r = sizePosition(i)
    expect({ qty: r.qty.toFixed(), notional: r.notional.toFixed(), cappedBy: r.cappedBy, explanation: r.explanation }).toEqual({
      qty: '0',
      notional: '0',
      cappedBy: null,
      explanation,
    })
  })
})

describe('sizePosition: explanations state the numbers', () => {
  test.each<{ label: string; in: SizingInput; explanation: string }>([
    {
      label: 'risk percent',
      in: input({ sizing: RISK('1') }),
      explanation: 'risk 1% of equity 10000 USDT = 100 USDT over stop distance 1000 (entry 50000, stop 49000): notional 5000 USDT, qty 0.1',
    },
    {
      label: 'confidence scaled and capped',
      in: input({ sizing: SCALED('1'), caps: caps({ quote: '2000' }) }),
      explanation:
        'risk 1% of equity 10000 USDT × confidence factor 0.5 = 50 USDT over stop distance 1000 (entry 50000, stop 49000): ' +
        'notional 2000 USDT, qty 0.04; capped by max position size 2000 USDT',
    },
    { label: 'fixed amount', in: input({ sizing: FIXED('1000') }), explanation: 'fixed amount 1000 USDT: notional 1000 USDT, qty 0.02' },
    { label: 'equity percent', in: input({ sizing: EQUITY('10') }), explanation: '10% of equity 10000 USDT: notional 1000 USDT, qty 0.02' },
  ])('$label', ({ in: i, explanation }) => {
    expect(sizePosition(i).explanation).toBe(explanation)
  })

  test('results stay exact while the explanation is shortened', () => {
    const r = sizePosition(input({ sizing: FIXED('1000'), entryPrice: dec(3) }))
    expect(r.qty.mul(3).minus(1000).abs().lt('1e-30')).toBe(true)
    expect(r.explanation).toBe('fixed amount 1000 USDT: notional 1000 USDT, qty 333.3333333')
    expect(r.notional.toFixed()).toBe('1000')
  })
})

import { dec, Decimal, maxDec, minDec, sumDec } from '@/lib/domain/decimal'
import type { DecisionTakeProfit, TradeDecision } from '@/lib/domain/decisions/trade-decision'
import { atr } from '@/lib/domain/indicators/atr'
import { ema } from '@/lib/domain/indicators/ema'
import type { Candle } from '@/lib/domain/market/candle'
import { priceRoundingFor, roundPriceToTick } from '@/lib/domain/market/precision'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'

export interface RulesStrategyParams {
  fastPeriod: number
  slowPeriod: number
  atrPeriod: number
  /** Stop distance in ATRs; this distance is the strategy's 1R. */
  atrStopMult: number
  /** Take-profit levels in R multiples; the position is split evenly across them. */
  rewardRisk: readonly number[]
  /** |fast EMA − slow EMA| must exceed this many ATRs before an entry. */
  minTrendAtr: number
}

export const DEFAULT_RULES_STRATEGY_PARAMS: RulesStrategyParams = {
  fastPeriod: 9,
  slowPeriod: 21,
  atrPeriod: 14,
  atrStopMult: 2,
  rewardRisk: [1.5, 3],
  minTrendAtr: 0.25,
}

export interface RulesStrategyInput {
  symbol: string
  /** Oldest first, on the trader's primary timeframe. */
  candles: readonly Candle[]
  bid: Decimal
  ask: Decimal
  tickSize: Decimal
  position: null | { side: PositionSide; avgEntryPrice: Decimal; stopLoss: Decimal | null }
  canShort: boolean
  params?: Partial<RulesStrategyParams>
}

/** Confidence of an entry at exactly the trend threshold, the per-ATR slope above it, and the cap. */
const ENTRY_BASE = dec('0.5')
const CLOSE_BASE = dec('0.7')
const CONFIDENCE_SLOPE = dec('0.2')
const CONFIDENCE_CAP = dec('0.95')
/** NO_TRADE is a neutral opinion; WATCH for missing data carries no opinion at all. */
const NEUTRAL = dec('0.5')

/** Candles needed before the strategy will judge: the slow EMA's and the ATR's warm-up. */
export function requiredCandles(p: RulesStrategyParams): number {
  return Math.max(p.fastPeriod, p.slowPeriod, p.atrPeriod + 1)
}

/**
 * The built-in, LLM-free provider: EMA trend following with ATR stops.
 *
 * - trend spread = fastEMA − slowEMA of the closes; strength = |spread| / ATR (Wilder).
 * - No position: LONG when spread > minTrendAtr × ATR and the last close > fastEMA; SHORT on the
 *   mirror image (only when canShort); otherwise NO_TRADE. Market entry at the ask (LONG) or bid
 *   (SHORT); stop = entry ∓ atrStopMult × ATR rounded toward the market; R = |entry − stop|;
 *   take-profits at entry ± R × each rewardRisk, rounded toward the market, shares split evenly.
 *   confidence = clamp(0.5 + 0.2 × (strength − minTrendAtr), 0.5, 0.95).
 * - Open position: when the fast EMA is on the wrong side of the slow one (below for a LONG, above
 *   for a SHORT), CLOSE with confidence = min(0.7 + 0.2 × strength, 0.95). This checks the state,
 *   not the crossing bar, so a missed cycle still closes. Otherwise NO_TRADE: stops are moved by
 *   the stop-management rules, not here.
 * Confidences are rounded to 4 decimals. The same input always gives the same decision.
 */
export function decideByRules(input: RulesStrategyInput): TradeDecision {
  const p = { ...DEFAULT_RULES_STRATEGY_PARAMS, ...input.params }
  const { symbol, candles, position } = input
  const need = requiredCandles(p)
  if (candles.length < need) {
    return {
      symbol,
      action: 'WATCH',
      confidence: dec(0),
      reasoning:
        `${symbol}: only ${candles.length} candles, need at least ${need} ` +
        `(EMA${p.slowPeriod} and ATR${p.atrPeriod}) to judge the trend.`,
    }
  }

  const closes = candles.map((c) => c.close)
  const fast = ema(closes, p.fastPeriod).at(-1)!
  const slow = ema(closes, p.slowPeriod).at(-1)!
  const atrValue = atr(candles, p.atrPeriod).at(-1)!
  const close = closes[closes.length - 1]
  const spread = fast.minus(slow)
  const strength = atrValue.gt(0) ? spread.abs().div(atrValue) : dec(0)

  const dp = input.tickSize.decimalPlaces()
  const px = (d: Decimal) => d.toFixed(dp)
  const relation = spread.gt(0) ? 'above' : spread.lt(0) ? 'below' : 'equal to'
  const facts =
    `EMA${p.fastPeriod} ${px(fast)} is ${relation} EMA${p.slowPeriod} ${px(slow)} ` +
    `(spread ${px(spread.abs())} = ${strength.toFixed(2)} ATR, ATR${p.atrPeriod} ${px(atrValue)}), close ${px(close)}`
  const decide = (action: TradeDecision['action'], confidence: Decimal, verdict: string): TradeDecision => ({
    symbol,
    action,
    confidence: confidence.toDecimalPlaces(4),
    reasoning: `${symbol}: ${facts}. ${verdict}`,
  })

  if (position) {
    const against = position.side === 'LONG' ? spread.lt(0) : spread.gt(0)
    if (against) {
      const confidence = minDec(CLOSE_BASE.plus(CONFIDENCE_SLOPE.mul(strength)), CONFIDENCE_CAP)
      return decide(
        'CLOSE',
        confidence,
        `The trend turned against the ${position.side}: close it. Confidence ${confidence.toFixed(2)} = min(0.7 + 0.2 × ${strength.toFixed(2)}, 0.95).`,
      )
    }
    const stop = position.stopLoss ? `stop ${position.stopLoss.toFixed()}` : 'no stop set'
    return decide('NO_TRADE', NEUTRAL, `The trend still allows the ${position.side}: hold (${stop}; stops are managed by the rules).`)
  }

  const threshold = atrValue.mul(p.minTrendAtr)
  const side: PositionSide | null =
    spread.gt(threshold) && close.gt(fast) ? 'LONG' : spread.neg().gt(threshold) && close.lt(fast) ? 'SHORT' : null
  if (side === null) {
    return decide(
      'NO_TRADE',
      NEUTRAL,
      `No clear trend: an entry needs a spread above ${p.minTrendAtr} ATR (${px(threshold)}) with the close beyond EMA${p.fastPeriod} in the same direction.`,
    )
  }
  if (side === 'SHORT' && !input.canShort) {
    return decide('NO_TRADE', NEUTRAL, 'Downtrend, but shorting is not available here.')
  }
  return entry(input, p, side, atrValue, strength, decide)
}

function entry(
  input: RulesStrategyInput,
  p: RulesStrategyParams,
  side: PositionSide,
  atrValue: Decimal,
  strength: Decimal,
  decide: (action: TradeDecision['action'], confidence: Decimal, verdict: string) => TradeDecision,
): TradeDecision {
  const { tickSize } = input
  const sign = side === 'LONG' ? 1 : -1
  const entryPrice = side === 'LONG' ? input.ask : input.bid
  const rawStop = entryPrice.minus(atrValue.mul(p.atrStopMult).mul(sign))
  const stopLoss = roundPriceToTick(rawStop, tickSize, priceRoundingFor(side, 'STOP'))
  const risk = entryPrice.minus(stopLoss).mul(sign)
  if (!risk.gt(0) || !stopLoss.gt(0)) {
    return decide(
      'NO_TRADE',
      NEUTRAL,
      `A ${side} signal, but a ${p.atrStopMult} ATR stop from ${entryPrice.toFixed()} gives no usable stop (${stopLoss.toFixed()}).`,
    )
  }

  const targets = p.rewardRisk
    .map((r) => ({ r, price: roundPriceToTick(entryPrice.plus(risk.mul(r).mul(sign)), tickSize, priceRoundingFor(side, 'TAKE_PROFIT')) }))
    .filter((t) => t.price.minus(entryPrice).mul(sign).gt(0))
  const shares = evenShares(targets.length)
  const takeProfits: DecisionTakeProfit[] = targets.map((t, i) => ({ price: t.price, sharePct: shares[i] }))

  const confidence = minDec(
    maxDec(ENTRY_BASE.plus(CONFIDENCE_SLOPE.mul(strength.minus(p.minTrendAtr))), ENTRY_BASE),
    CONFIDENCE_CAP,
  )
  const quote = side === 'LONG' ? 'ask' : 'bid'
  const targetText = targets.length
    ? `targets ${targets.map((t) => `${t.price.toFixed()} (${t.r}R)`).join(', ')}`
    : 'no targets'
  const decision = decide(
    side,
    confidence,
    `${side === 'LONG' ? 'Uptrend' : 'Downtrend'}: ${side} at market (${quote} ${entryPrice.toFixed()}), ` +
      `stop ${stopLoss.toFixed()} (${p.atrStopMult} ATR, 1R = ${risk.toFixed()}), ${targetText}. ` +
      `Confidence ${confidence.toFixed(2)} = clamp(0.5 + 0.2 × (${strength.toFixed(2)} − ${p.minTrendAtr}), 0.5, 0.95).`,
  )
  return { ...decision, entryType: 'MARKET', stopLoss, takeProfits }
}

/** `n` shares of 100 %, two decimals each, the last taking the remainder so they sum to 100. */
function evenShares(n: number): Decimal[] {
  if (n === 0) return []
  const each = dec(100).div(n).toDecimalPlaces(2, Decimal.ROUND_DOWN)
  const head = Array.from({ length: n - 1 }, () => each)
  return [...head, dec(100).minus(sumDec(head))]
}

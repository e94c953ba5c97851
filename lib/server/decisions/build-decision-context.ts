import type { DecisionContext } from '@/lib/ai/decision-context'
import type { Decimal } from '@/lib/domain/decimal'
import type { Candle } from '@/lib/domain/market/candle'
import { exitPriceFor } from '@/lib/domain/positions/exit-price'
import { pnlPercent, unrealizedPnl } from '@/lib/domain/positions/fill-ledger'
import { roundQuoteAmount } from '@/lib/domain/quote-amount'
import type { SymbolSnapshot } from './symbol-snapshot'

export interface ContextInputs {
  trader: { name: string; quoteCurrency: string }
  canShort: boolean
  minConfidence: Decimal
  maxStopDistancePct: Decimal
  maxPositionQuote: Decimal | null
  symbol: string
  now: number
  snapshot: SymbolSnapshot
  candles: Record<string, Candle[]>
  atr: Decimal | null
  volatility: Decimal | null
  recentDecisions: { createdAt: Date; action: string | null; confidence: { toString(): string } | null; outcome: string; reasoning: string }[]
  account: { equity: Decimal; available: Decimal; openPositions: number; dailyPnl: Decimal }
  tradesToday: number
  paused: boolean
}

const s = (d: Decimal) => d.toFixed()

/** The JSON-only context every provider sees (and that is stored with each decision). */
export function buildDecisionContext(i: ContextInputs): DecisionContext {
  const { quote, rules, position } = i.snapshot
  const mid = quote.bid.plus(quote.ask).div(2)
  let ctxPosition: DecisionContext['position'] = null
  if (position && i.snapshot.positionState) {
    const st = i.snapshot.positionState
    const mark = exitPriceFor(st.side, quote)
    ctxPosition = {
      side: st.side,
      qty: s(st.openQty),
      avgEntryPrice: s(st.avgEntryPrice),
      unrealizedPnl: roundQuoteAmount(unrealizedPnl(st.side, st, mark)),
      unrealizedPnlPct: pnlPercent(st.side, st.avgEntryPrice, mark).toFixed(3),
      ageMinutes: Math.floor((i.now - (position.openedAt ?? position.createdAt).getTime()) / 60_000),
      stopLoss: st.stopLoss ? s(st.stopLoss) : null,
      takeProfits: st.takeProfits.map((t, k) => ({ level: k + 1, price: s(t.price), sharePct: s(t.sharePct) })),
      fills: position.fills.map((f) => ({ side: f.side, qty: f.qty.toString(), price: f.price.toString(), fee: f.fee.toString(), at: f.createdAt.toISOString() })),
      modifications: position.events.map((e) => ({ at: e.createdAt.toISOString(), type: e.type, message: e.message })),
    }
  }
  return {
    trader: { name: i.trader.name, quoteCurrency: i.trader.quoteCurrency, canShort: i.canShort, minConfidence: s(i.minConfidence) },
    symbol: i.symbol,
    now: new Date(i.now).toISOString(),
    market: {
      bid: s(quote.bid),
      ask: s(quote.ask),
      mid: s(mid.toDecimalPlaces(rules.tickSize.decimalPlaces() + 1)),
      tickSize: s(rules.tickSize),
      stepSize: s(rules.stepSize),
      minNotional: s(rules.minNotional),
      candles: Object.fromEntries(
        Object.entries(i.candles).map(([tf, list]) => [
          tf,
          list.map((c) => ({ t: new Date(c.openTime).toISOString(), o: s(c.open), h: s(c.high), l: s(c.low), c: s(c.close), v: s(c.volume) })),
        ]),
      ),
      atr: i.atr ? i.atr.toSignificantDigits(8).toFixed() : null,
      volatilityPct: i.volatility ? i.volatility.mul(100).toSignificantDigits(6).toFixed() : null,
    },
    position: ctxPosition,
    recentDecisions: i.recentDecisions.map((d) => ({
      at: d.createdAt.toISOString(),
      action: d.action ?? 'INVALID',
      confidence: d.confidence?.toString() ?? null,
      outcome: d.outcome,
      reasoning: d.reasoning.slice(0, 300),
    })),
    // Quote amounts to six significant digits: a BTC-quoted account's 0.0512 BTC is not "0.05".
    account: { equity: roundQuoteAmount(i.account.equity), available: roundQuoteAmount(i.account.available), openPositions: i.account.openPositions, dailyPnl: roundQuoteAmount(i.account.dailyPnl) },
    risk: { maxStopDistancePct: s(i.maxStopDistancePct), maxPositionQuote: i.maxPositionQuote ? s(i.maxPositionQuote) : null, tradesToday: i.tradesToday, paused: i.paused },
  }
}

import { dec, type Decimal } from '@/lib/domain/decimal'
import type { TradeDecision } from '@/lib/domain/decisions/trade-decision'
import type { PlanStep } from './decision-plan'

/**
 * A plan step as a decision again, so a queued order passes the same validation layer at
 * approval time as when it was proposed (with the person's edits applied).
 */
export function decisionFromStep(step: PlanStep, confidence: Decimal, reasoning: string, position: { takeProfitCount: number } | null): TradeDecision {
  const base = { symbol: step.symbol, confidence, reasoning }
  switch (step.kind) {
    case 'ENTRY':
      return {
        ...base,
        action: step.side,
        entryType: step.entryType,
        entryPrice: step.limitPrice ? dec(step.limitPrice) : undefined,
        stopLoss: dec(step.stopLoss),
        takeProfits: step.takeProfits.map((t) => ({ price: dec(t.price), sharePct: dec(t.sharePct) })),
      }
    case 'EXIT':
      return step.full ? { ...base, action: 'CLOSE' } : { ...base, action: 'PARTIAL_TP', exitSharePct: dec(step.sharePct) }
    case 'MODIFY': {
      const modifications: TradeDecision['modifications'] = []
      if (step.stopLoss) modifications.push({ type: 'MOVE_SL', price: dec(step.stopLoss) })
      if (step.takeProfits) {
        // Replace every active level: cancel from the last so the 1-based levels stay valid.
        for (let level = position?.takeProfitCount ?? 0; level >= 1; level--) modifications.push({ type: 'CANCEL_TP', level })
        for (const t of step.takeProfits) modifications.push({ type: 'ADD_TP', price: dec(t.price), sharePct: dec(t.sharePct) })
      }
      return { ...base, action: 'NO_TRADE', modifications }
    }
  }
}

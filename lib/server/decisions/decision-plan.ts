import type { Decimal } from '@/lib/domain/decimal'
import type { TradeDecision } from '@/lib/domain/decisions/trade-decision'

/**
 * One executable step of a validated decision, in plain JSON (decimal strings) so it can wait
 * in the approval queue and be re-validated and executed later exactly as it was proposed.
 */
export type PlanStep =
  | {
      kind: 'ENTRY'
      symbol: string
      side: 'LONG' | 'SHORT'
      entryType: 'MARKET' | 'LIMIT'
      limitPrice: string | null
      qty: string
      stopLoss: string
      takeProfits: { price: string; sharePct: string }[]
    }
  | { kind: 'EXIT'; symbol: string; positionId: string; sharePct: string; full: boolean }
  | {
      kind: 'MODIFY'
      symbol: string
      positionId: string
      stopLoss: string | null
      takeProfits: { price: string; sharePct: string }[] | null
      /** The stop and active targets the decision was made against (absent in steps queued before it was kept). */
      seen?: { stopLoss: string | null; takeProfits: { price: string; sharePct: string }[] }
    }

type Level = { price: Decimal; sharePct: Decimal }
export interface Normalized {
  entry?: { side: 'LONG' | 'SHORT'; type: 'MARKET' | 'LIMIT'; price: Decimal | null; qty: Decimal; stopLoss: Decimal; takeProfits: Level[] }
  exit?: { qty: Decimal; full: boolean }
  protection?: { stopLoss: Decimal | null; takeProfits: Level[] }
}

const levels = (l: Level[]) => l.map((t) => ({ price: t.price.toFixed(), sharePct: t.sharePct.toFixed() }))
const sameLevels = (a: Level[], b: Level[]) => a.length === b.length && a.every((t, i) => t.price.eq(b[i]!.price) && t.sharePct.eq(b[i]!.sharePct))

/** The steps a validated decision asks for; empty when there is nothing to do. */
export function planSteps(
  decision: TradeDecision,
  normalized: Normalized | undefined,
  position: { id: string; openQty: Decimal; stopLoss: Decimal | null; takeProfits: Level[] } | null,
): PlanStep[] {
  if (!normalized) return []
  const steps: PlanStep[] = []
  const { entry, exit, protection } = normalized
  if (entry) {
    steps.push({
      kind: 'ENTRY',
      symbol: decision.symbol,
      side: entry.side,
      entryType: entry.type,
      limitPrice: entry.price?.toFixed() ?? null,
      qty: entry.qty.toFixed(),
      stopLoss: entry.stopLoss.toFixed(),
      takeProfits: levels(entry.takeProfits),
    })
  }
  if (position && protection && !exit?.full) {
    const slChanged = protection.stopLoss !== null && !(position.stopLoss && position.stopLoss.eq(protection.stopLoss))
    const tpChanged = !sameLevels(protection.takeProfits, position.takeProfits)
    if (slChanged || tpChanged) {
      steps.push({
        kind: 'MODIFY',
        symbol: decision.symbol,
        positionId: position.id,
        stopLoss: slChanged ? protection.stopLoss!.toFixed() : null,
        takeProfits: tpChanged ? levels(protection.takeProfits) : null,
        seen: { stopLoss: position.stopLoss?.toFixed() ?? null, takeProfits: levels(position.takeProfits) },
      })
    }
  }
  if (position && exit) {
    // The decision's own share: the exit path truncates openQty × share to the step exactly as validation did.
    const share = exit.full ? '100' : (decision.exitSharePct?.toFixed() ?? exit.qty.div(position.openQty).mul(100).toFixed())
    steps.push({ kind: 'EXIT', symbol: decision.symbol, positionId: position.id, sharePct: share, full: exit.full })
  }
  return steps
}

/** One line per step, for the journal and the approval queue. */
export function describeStep(s: PlanStep): string {
  switch (s.kind) {
    case 'ENTRY':
      return `${s.side} ${s.qty} ${s.symbol} ${s.entryType === 'LIMIT' ? `limit ${s.limitPrice}` : 'at market'}, stop ${s.stopLoss}${s.takeProfits.length ? `, take-profits ${s.takeProfits.map((t) => `${t.price} (${t.sharePct}%)`).join(', ')}` : ''}`
    case 'EXIT':
      return s.full ? `close the ${s.symbol} position at market` : `close ${s.sharePct}% of the ${s.symbol} position at market`
    case 'MODIFY':
      return [s.stopLoss ? `move the stop to ${s.stopLoss}` : null, s.takeProfits ? `set take-profits ${s.takeProfits.map((t) => `${t.price} (${t.sharePct}%)`).join(', ') || 'none'}` : null].filter(Boolean).join('; ')
  }
}

import type { DbTx } from '@/lib/db/client'
import { fromDb, fromDbOrNull } from '@/lib/db/decimal-columns'
import { sumDec, type Decimal } from '@/lib/domain/decimal'
import type { OpenPositionState } from '@/lib/domain/decisions/decision-context'
import type { MarketRules } from '@/lib/domain/market/precision'
import { isStale, loadMarketRules, loadQuote, quoteAgeMs, type StoredQuote } from '@/lib/market-data/quote-store'
import { ACTIVE_POSITION_STATUSES } from '@/lib/domain/positions/position-lifecycle'

const HOUR_MS = 3_600_000

/** What the database knows about one symbol for one trader at the start of a decision. */
export interface SymbolSnapshot {
  quote: StoredQuote
  rules: MarketRules
  position: Awaited<ReturnType<typeof loadActivePosition>>
  /** The position as the validation layer sees it; null without a monitored position. */
  positionState: OpenPositionState | null
}

/** noDataYet: the feed has not quoted the symbol (or loaded its rules) at all yet; stale: its latest price is too old; otherwise a busy position. */
export type SnapshotProblem = { problem: string; noDataYet?: true; stale?: true }

async function loadActivePosition(tx: DbTx, traderId: string, symbol: string) {
  const where = { traderId, symbol, status: { in: [...ACTIVE_POSITION_STATUSES] } }
  // Most symbols have no position: asked first on its own, since an include would still send
  // its three relation queries (for no parent) on every decision.
  if (!(await tx.position.findFirst({ where, select: { id: true } }))) return null
  return tx.position.findFirst({
    where,
    include: {
      takeProfits: { orderBy: { price: 'asc' } },
      fills: { orderBy: { createdAt: 'asc' }, take: 50 },
      events: { where: { type: { in: ['SL_CHANGED', 'TP_CHANGED'] } }, orderBy: { createdAt: 'desc' }, take: 20 },
    },
  })
}

/** Loads quote, rules and the trader's position for a symbol; a problem instead when it cannot trade now. */
export async function loadSymbolSnapshot(tx: DbTx, opts: { traderId: string; symbol: string; now: number; staleAfterMs: number }): Promise<SymbolSnapshot | SnapshotProblem> {
  const [quote, rules, position] = await Promise.all([loadQuote(tx, opts.symbol), loadMarketRules(tx, opts.symbol), loadActivePosition(tx, opts.traderId, opts.symbol)])
  if (!quote || !rules) return { problem: `no market data for ${opts.symbol} yet`, noDataYet: true }
  const age = quoteAgeMs(quote, opts.now)
  if (isStale(age, opts.staleAfterMs)) return { problem: `the price of ${opts.symbol} is stale (${Math.round(age / 1000)} s old): no decision on stale prices`, stale: true }
  if (position && !['OPEN', 'MONITORING'].includes(position.status)) {
    return { problem: `the ${opts.symbol} position is ${position.status.toLowerCase()}; it is decided on again once that settles` }
  }
  return { quote, rules, position, positionState: position ? positionState(position, opts.now) : null }
}

function positionState(p: NonNullable<Awaited<ReturnType<typeof loadActivePosition>>>, now: number): OpenPositionState {
  const active = p.takeProfits.filter((t) => t.status === 'ACTIVE')
  const filled = p.takeProfits.filter((t) => t.status === 'FILLED')
  const aiChangesLastHour = p.events.filter((e) => e.trigger === 'AI_ANALYSIS' && now - e.createdAt.getTime() < HOUR_MS)
  // The newest stop the rule engine set: the AI may never loosen past it.
  const ruleStop = p.events.find((e) => e.type === 'SL_CHANGED' && e.trigger === 'RULE_ENGINE')
  const ruleStopValue = ruleStop?.after && typeof ruleStop.after === 'object' && 'stopLoss' in ruleStop.after ? String((ruleStop.after as { stopLoss: unknown }).stopLoss) : null
  return {
    side: p.side,
    openQty: fromDb(p.openQty),
    avgEntryPrice: fromDb(p.avgEntryPrice),
    stopLoss: fromDbOrNull(p.stopLoss),
    takeProfits: active.map((t) => ({ price: fromDb(t.price), sharePct: fromDb(t.sharePct) })),
    filledSharePct: sumDec(filled.map((t) => fromDb(t.sharePct))),
    modificationsLastHour: aiChangesLastHour.length,
    ruleStopFloor: ruleStopValue ? (fromDbOrNull(ruleStopValue) as Decimal | null) : null,
  }
}

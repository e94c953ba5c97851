import type { DbTx } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import {
  aggregateDecisionPerformance,
  CONFIDENCE_BUCKET_LABELS,
  type ConfidenceBucket,
  type DecisionOutcome,
  type PositionResultInput,
} from '@/lib/domain/performance/decision-performance'
import type { Decimal } from '@/lib/domain/decimal'
import type { TradeSource } from '@/lib/domain/performance/trade-source'
import type { Prisma } from '@/lib/generated/prisma/client'

/**
 * Which decisions count, as the performance filters say: trader, symbol, when the decision was
 * made ([from, to)), the mode and quote currency of the trader's account, and the source of the
 * trade it opened (MANUAL: none, a person opened those; SIGNAL: decisions a signal started).
 */
export interface DecisionPerformanceFilter {
  traderId?: string
  symbol?: string
  source?: TradeSource
  from?: Date
  to?: Date
  mode?: 'PAPER' | 'TESTNET' | 'LIVE'
  currency?: string
}

const SOURCE_WHERE: Record<TradeSource, Prisma.DecisionWhereInput> = {
  MANUAL: { id: { in: [] } },
  RULES: { provider: 'RULES', trigger: { not: 'SIGNAL' } },
  AI: { provider: { not: 'RULES' }, trigger: { not: 'SIGNAL' } },
  SIGNAL: { trigger: 'SIGNAL' },
}

/** Averages are quotients: shown to 8 places (half up); totals stay exact. */
const AVG_DP = 8

export interface EntryGroupView {
  provider: string
  action: 'LONG' | 'SHORT'
  bucket: ConfidenceBucket
  bucketLabel: string
  decisions: number
  closedTrades: number
  wins: number
  losses: number
  /** Percent with 2 places; null with no closed trade. */
  winRatePct: string | null
  totalPnl: string
  avgPnl: string | null
  openTrades: number
  failedTrades: number
}

export interface DecisionPerformanceView {
  entries: EntryGroupView[]
  byBucket: { bucket: ConfidenceBucket; bucketLabel: string; decisions: number; closedTrades: number; wins: number; winRatePct: string | null; totalPnl: string }[]
  outcomes: { provider: string; total: number; byOutcome: Record<DecisionOutcome, number>; withoutDecision: number }[]
}

const pct = (r: Decimal | null) => (r === null ? null : r.mul(100).toFixed(2))

/**
 * The user's decisions judged by what came of them (optionally filtered): executed entries with
 * the realized PnL of their closed positions, and outcome counts per provider.
 */
export async function decisionPerformance(opts: { db: DbTx; userId: string } & DecisionPerformanceFilter): Promise<DecisionPerformanceView> {
  const account = opts.mode || opts.currency ? { account: { mode: opts.mode, quoteCurrency: opts.currency } } : {}
  const where: Prisma.DecisionWhereInput = {
    trader: { userId: opts.userId, ...account },
    traderId: opts.traderId,
    symbol: opts.symbol,
    ...(opts.from || opts.to ? { createdAt: { gte: opts.from, lt: opts.to } } : {}),
    ...(opts.source ? SOURCE_WHERE[opts.source] : {}),
  }
  const [counts, entries] = await Promise.all([
    opts.db.decision.groupBy({ by: ['provider', 'outcome', 'action'], where, _count: { _all: true } }),
    opts.db.decision.findMany({
      where: { ...where, action: { in: ['LONG', 'SHORT'] }, outcome: 'EXECUTED' },
      select: { id: true, provider: true, action: true, outcome: true, confidence: true, positionId: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    }),
  ])
  // An entry that waited for approval was recorded before its position existed: the position's
  // CREATED event names the decision instead.
  const unlinked = entries.filter((e) => e.positionId === null).map((e) => e.id)
  if (unlinked.length) {
    const created = await opts.db.positionEvent.findMany({ where: { type: 'CREATED', decisionId: { in: unlinked } }, select: { decisionId: true, positionId: true } })
    const byDecision = new Map(created.map((c) => [c.decisionId!, c.positionId]))
    for (const e of entries) if (e.positionId === null) e.positionId = byDecision.get(e.id) ?? null
  }
  const positionIds = [...new Set(entries.map((e) => e.positionId).filter((id): id is string => id !== null))]
  const positions = await opts.db.position.findMany({ where: { id: { in: positionIds }, trader: { userId: opts.userId } }, select: { id: true, status: true, realizedPnl: true } })
  const byId = new Map<string, PositionResultInput>(positions.map((p) => [p.id, { status: p.status, realizedPnl: fromDb(p.realizedPnl) }]))

  const r = aggregateDecisionPerformance({
    decisions: entries.map((e) => ({ provider: e.provider, action: e.action, outcome: e.outcome, positionId: e.positionId, confidence: e.confidence === null ? null : fromDb(e.confidence) })),
    positions: byId,
    outcomeCounts: counts.map((c) => ({ provider: c.provider, outcome: c.outcome, action: c.action, count: c._count._all })),
  })
  return {
    entries: r.entries.map((g) => ({
      provider: g.provider,
      action: g.action,
      bucket: g.bucket,
      bucketLabel: CONFIDENCE_BUCKET_LABELS[g.bucket],
      decisions: g.decisions,
      closedTrades: g.closedTrades,
      wins: g.wins,
      losses: g.losses,
      winRatePct: pct(g.winRate),
      totalPnl: g.totalPnl.toFixed(),
      avgPnl: g.avgPnl === null ? null : g.avgPnl.toDecimalPlaces(AVG_DP).toFixed(),
      openTrades: g.openTrades,
      failedTrades: g.failedTrades,
    })),
    byBucket: r.byBucket.map((b) => ({
      bucket: b.bucket,
      bucketLabel: CONFIDENCE_BUCKET_LABELS[b.bucket],
      decisions: b.decisions,
      closedTrades: b.closedTrades,
      wins: b.wins,
      winRatePct: pct(b.winRate),
      totalPnl: b.totalPnl.toFixed(),
    })),
    outcomes: r.outcomes,
  }
}

import type { DbTx } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import type { Decimal } from '@/lib/domain/decimal'
import { tradeSource, type TradeSource } from '@/lib/domain/performance/trade-source'
import { averageEntryOfClosed } from '@/lib/domain/positions/fill-ledger'
import type { Prisma } from '@/lib/generated/prisma/client'
import type { AccountMode, PerformanceQuery } from './performance-query'

/** A closed position as the performance figures and the export read it (quote currency). */
export interface ClosedTrade {
  positionId: string
  /** The position group it is a leg of: the group's closed legs are one trade in the statistics. */
  groupId: string | null
  traderId: string
  traderName: string
  symbol: string
  side: 'LONG' | 'SHORT'
  source: TradeSource
  /** The entry decision's provider, when a decision opened it. */
  provider: string | null
  mode: AccountMode
  currency: string
  openedAt: Date | null
  /** When the last exit filled (positions closed before closedAt was recorded: their last update). */
  closedAt: Date
  entryQty: Decimal
  avgEntryPrice: Decimal
  exitQty: Decimal
  avgExitPrice: Decimal
  /** Net of every fee. */
  pnl: Decimal
  fees: Decimal
  /** What closed it: STOP_LOSS, TAKE_PROFIT, MANUAL_EXIT, … */
  closeReason: string | null
}

export type ClosedTradeFilter = Pick<PerformanceQuery, 'traderId' | 'symbol' | 'source' | 'from' | 'to' | 'mode'> & {
  /** Only trades in this quote currency; every currency when undefined. */
  currency?: string
}

/**
 * The user's closed positions matching the filter, in the order they closed. The source of each
 * is the entry decision that opened it: the first executed LONG/SHORT decision naming the
 * position, or (for an entry that waited for approval, recorded before its position existed)
 * the decision its CREATED event names; none means a person opened it.
 */
export async function loadClosedTrades(db: DbTx, userId: string, f: ClosedTradeFilter): Promise<ClosedTrade[]> {
  const where: Prisma.PositionWhereInput = {
    status: 'CLOSED',
    trader: { userId },
    account: { mode: f.mode, ...(f.currency ? { quoteCurrency: f.currency } : {}) },
    traderId: f.traderId,
    symbol: f.symbol,
    ...(f.from || f.to ? { closedAt: { gte: f.from, lt: f.to } } : {}),
  }
  const rows = await db.position.findMany({
    where,
    select: {
      id: true,
      traderId: true,
      symbol: true,
      side: true,
      openedAt: true,
      closedAt: true,
      updatedAt: true,
      entryQty: true,
      avgEntryPrice: true,
      exitQty: true,
      avgExitPrice: true,
      realizedPnl: true,
      fees: true,
      statusReason: true,
      signalId: true,
      groupId: true,
      trader: { select: { name: true } },
      account: { select: { mode: true, quoteCurrency: true } },
    },
  })
  if (rows.length === 0) return []
  const openings = await db.$queryRaw<{ id: string; provider: string | null; trigger: string | null }[]>`
    SELECT p.id, o.provider, o.trigger
    FROM unnest(${rows.map((r) => r.id)}::text[]) AS p(id)
    LEFT JOIN LATERAL (
      SELECT x.provider, x.trigger FROM (
        SELECT 0 AS k, d."createdAt" AS c, d.id AS did, d.provider::text AS provider, d.trigger
        FROM "Decision" d
        WHERE d."positionId" = p.id AND d.action IN ('LONG', 'SHORT') AND d.outcome = 'EXECUTED'
        UNION ALL
        SELECT 1, e."createdAt", d.id, d.provider::text, d.trigger
        FROM "PositionEvent" e JOIN "Decision" d ON d.id = e."decisionId"
        WHERE e."positionId" = p.id AND e.type = 'CREATED'
      ) x
      ORDER BY x.k, x.c, x.did
      LIMIT 1
    ) o ON true`
  const opening = new Map(openings.map((o) => [o.id, o.provider && o.trigger ? { provider: o.provider, trigger: o.trigger } : null]))
  const trades = rows.map(
    (r): ClosedTrade => ({
      positionId: r.id,
      groupId: r.groupId,
      traderId: r.traderId,
      traderName: r.trader.name,
      symbol: r.symbol,
      side: r.side,
      source: tradeSource(opening.get(r.id) ?? null, r.signalId !== null),
      provider: opening.get(r.id)?.provider ?? null,
      mode: r.account.mode,
      currency: r.account.quoteCurrency,
      openedAt: r.openedAt,
      closedAt: r.closedAt ?? r.updatedAt,
      entryQty: fromDb(r.entryQty),
      // Over every entry fill, to the column's 18 places (see averageEntryOfClosed).
      avgEntryPrice:
        averageEntryOfClosed(r.side, { exitQty: fromDb(r.exitQty), avgExitPrice: fromDb(r.avgExitPrice), realizedPnl: fromDb(r.realizedPnl), fees: fromDb(r.fees) })?.toDecimalPlaces(18) ??
        fromDb(r.avgEntryPrice),
      exitQty: fromDb(r.exitQty),
      avgExitPrice: fromDb(r.avgExitPrice),
      pnl: fromDb(r.realizedPnl),
      fees: fromDb(r.fees),
      closeReason: r.statusReason,
    }),
  )
  return trades
    .filter((t) => !f.source || t.source === f.source)
    .sort((a, b) => a.closedAt.getTime() - b.closedAt.getTime() || (a.positionId < b.positionId ? -1 : a.positionId > b.positionId ? 1 : 0))
}

import type { DbTx } from '@/lib/db/client'
import { fromDb, fromDbOrNull } from '@/lib/db/decimal-columns'
import type { ExecutionOrder } from '@/lib/domain/execution/execution-quality'
import type { Prisma } from '@/lib/generated/prisma/client'

export type LoadedOrder = ExecutionOrder & { purpose: 'ENTRY' | 'STOP_LOSS' | 'TAKE_PROFIT' | 'MANUAL_EXIT'; venue: string; mode: string }

/**
 * Orders matching `where` with their fills, and for an automated entry when the decision behind
 * it was taken: its decidedAt (stamped when validation finished). Rows from before decidedAt was
 * recorded rebuild the moment from the entry, which is written after the execution: when work on
 * the symbol began (createdAt − latencyMs) plus the model's time, the earliest the answer can have
 * arrived, so decision→order is never understated by it.
 */
export async function loadExecutionOrders(db: DbTx, where: Prisma.OrderWhereInput): Promise<LoadedOrder[]> {
  const rows = await db.order.findMany({
    where,
    select: {
      side: true,
      status: true,
      purpose: true,
      filledQty: true,
      rejectReason: true,
      expectedPrice: true,
      createdAt: true,
      positionId: true,
      account: { select: { kind: true, venue: true, mode: true } },
      fills: { select: { price: true, qty: true, createdAt: true } },
    },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  })
  const entryPositions = [...new Set(rows.flatMap((r) => (r.purpose === 'ENTRY' && r.positionId ? [r.positionId] : [])))]
  const created = entryPositions.length
    ? await db.positionEvent.findMany({ where: { positionId: { in: entryPositions }, type: 'CREATED', decisionId: { not: null } }, select: { positionId: true, decisionId: true } })
    : []
  const decisions = created.length
    ? await db.decision.findMany({ where: { id: { in: created.map((c) => c.decisionId!) } }, select: { id: true, createdAt: true, latencyMs: true, modelLatencyMs: true, decidedAt: true } })
    : []
  const decidedAt = new Map(decisions.map((d) => [d.id, d.decidedAt?.getTime() ?? d.createdAt.getTime() - d.latencyMs + d.modelLatencyMs]))
  const byPosition = new Map(created.map((c) => [c.positionId, decidedAt.get(c.decisionId!) ?? null]))
  return rows.map((r) => ({
    side: r.side,
    status: r.status,
    purpose: r.purpose,
    filledQty: fromDb(r.filledQty),
    rejectReason: r.rejectReason,
    expectedPrice: fromDbOrNull(r.expectedPrice),
    createdAt: r.createdAt.getTime(),
    decidedAt: r.purpose === 'ENTRY' && r.positionId ? (byPosition.get(r.positionId) ?? null) : null,
    fills: r.fills.map((f) => ({ price: fromDb(f.price), qty: fromDb(f.qty), at: f.createdAt.getTime() })),
    venue: venueLabel(r.account),
    mode: r.account.mode,
  }))
}

/** 'paper' for the paper engine, else the exchange (binance, coinbase). */
export function venueLabel(a: { kind: string; venue: string | null }): string {
  return a.kind === 'PAPER' ? 'paper' : (a.venue ?? 'unknown')
}

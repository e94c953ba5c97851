import type { DbTx } from '@/lib/db/client'
import { fromDb, toDb } from '@/lib/db/decimal-columns'
import { derivePosition, type PositionLedger, type PositionSide } from '@/lib/domain/positions/fill-ledger'

/** Rewrites the position's cached ledger fields from its fills: the fills are the truth. */
export async function syncLedger(tx: DbTx, positionId: string, side: PositionSide): Promise<PositionLedger> {
  const fills = await tx.fill.findMany({ where: { positionId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
  const result = derivePosition(
    side,
    fills.map((f) => ({ side: f.side, qty: fromDb(f.qty), price: fromDb(f.price), fee: fromDb(f.fee) })),
  )
  if (!result.ok) throw result.error
  const l = result.value
  await tx.position.update({
    where: { id: positionId },
    data: {
      openQty: toDb(l.openQty),
      entryQty: toDb(l.entryQty),
      exitQty: toDb(l.exitQty),
      avgEntryPrice: toDb(l.avgEntryPrice),
      avgExitPrice: toDb(l.avgExitPrice),
      realizedPnl: toDb(l.realizedPnl),
      fees: toDb(l.fees),
    },
  })
  return l
}

import type { DbTx } from '@/lib/db/client'
import { fromDb, toDb } from '@/lib/db/decimal-columns'
import { ZERO } from '@/lib/domain/decimal'
import { derivePosition, type LedgerFill, type PositionLedger, type PositionSide } from '@/lib/domain/positions/fill-ledger'

/** Rewrites the position's cached ledger fields from its fills: the fills are the truth. */
export async function syncLedger(tx: DbTx, positionId: string, side: PositionSide, symbol: string): Promise<PositionLedger> {
  const fills = await tx.fill.findMany({ where: { positionId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
  const result = derivePosition(side, fills.map((f) => ledgerFill(f, symbol)))
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

/**
 * A stored fill as the ledger reads it. A fee in the quote currency is a fee; one in the base
 * asset came out of the quantity received. A fee in a third asset (BNB on Binance) has no price
 * here: it is kept on the fill and left out of the quote-currency fees.
 */
type Num = { toString(): string }
export function ledgerFill(f: { side: 'BUY' | 'SELL'; qty: Num; price: Num; fee: Num; feeAsset: string }, symbol: string): LedgerFill {
  const [base, quote] = symbol.split('/')
  const fee = fromDb(f.fee)
  return {
    side: f.side,
    qty: fromDb(f.qty),
    price: fromDb(f.price),
    fee: f.feeAsset === quote ? fee : ZERO,
    feeInBase: f.feeAsset === base ? fee : undefined,
  }
}

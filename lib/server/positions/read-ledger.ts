import { fromDb, toDb } from '@/lib/db/decimal-columns'
import type { SqlTx } from '@/lib/db/sql-tx'
import { ZERO } from '@/lib/domain/decimal'
import { derivePosition, type LedgerFill, type PositionLedger, type PositionSide } from '@/lib/domain/positions/fill-ledger'

/**
 * The position's ledger derived from its fills (the fills are the truth), with the cached
 * columns to write for it: the caller writes them in the same UPDATE as any status change.
 */
export async function readLedger(tx: SqlTx, positionId: string, side: PositionSide, symbol: string) {
  const fills = await tx.$queryRaw<{ side: 'BUY' | 'SELL'; qty: string; price: string; fee: string; feeAsset: string }[]>`
    SELECT side::text AS side, qty::text AS qty, price::text AS price, fee::text AS fee, "feeAsset" FROM "Fill" WHERE "positionId" = ${positionId} ORDER BY "createdAt", id`
  const result = derivePosition(side, fills.map((f) => ledgerFill(f, symbol)))
  if (!result.ok) throw result.error
  const l: PositionLedger = result.value
  const columns = {
    openQty: toDb(l.openQty),
    entryQty: toDb(l.entryQty),
    exitQty: toDb(l.exitQty),
    avgEntryPrice: toDb(l.avgEntryPrice),
    avgExitPrice: toDb(l.avgExitPrice),
    realizedPnl: toDb(l.realizedPnl),
    fees: toDb(l.fees),
  }
  return { ledger: l, columns }
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

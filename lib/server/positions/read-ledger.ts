import { fromDb, toDb } from '@/lib/db/decimal-columns'
import { Prisma } from '@/lib/generated/prisma/client'
import { ZERO } from '@/lib/domain/decimal'
import { derivePosition, type LedgerFill, type PositionLedger, type PositionSide } from '@/lib/domain/positions/fill-ledger'

/** A fill as the ledger reads it from the database (decimals as exact text). */
export type StoredLedgerFill = { side: 'BUY' | 'SELL'; qty: string; price: string; fee: string; feeAsset: string }

/**
 * The position's fills in ledger order, as one JSON array (null when it has none), for a
 * statement that also inserts fills: `inserted` is a SELECT of those "Fill" rows, which the
 * statement's read of the table cannot see.
 */
export function ledgerFillsSql(positionId: string, inserted: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(
    SELECT jsonb_agg(jsonb_build_object('side', f.side, 'qty', f.qty::text, 'price', f.price::text, 'fee', f.fee::text, 'feeAsset', f."feeAsset") ORDER BY f."createdAt", f.id)
    FROM (SELECT * FROM "Fill" WHERE "positionId" = ${positionId} UNION ALL ${inserted}) f)`
}

/**
 * The position's ledger derived from its fills (the fills are the truth), with the cached
 * columns to write for it: the caller writes them in the same UPDATE as any status change.
 */
export function ledgerOf(fills: StoredLedgerFill[], side: PositionSide, symbol: string) {
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

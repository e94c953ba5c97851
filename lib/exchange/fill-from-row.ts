import { fromDb } from '@/lib/db/decimal-columns'
import type { ExchangeFill } from '@/lib/exchange/port'

/** The decimal columns of a stored fill (our Fill, or the paper engine's PaperFill). */
interface FillRow {
  qty: { toString(): string }
  price: { toString(): string }
  fee: { toString(): string }
  feeAsset: string
  liquidity: ExchangeFill['liquidity']
  createdAt: Date
}

/** A stored fill as the port reports it, under the exchange's trade id. */
export function exchangeFillFromRow(row: FillRow, exchangeFillId: string): ExchangeFill {
  return { exchangeFillId, qty: fromDb(row.qty), price: fromDb(row.price), fee: fromDb(row.fee), feeAsset: row.feeAsset, liquidity: row.liquidity, at: row.createdAt }
}

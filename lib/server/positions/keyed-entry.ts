import { sqlOf, type Db } from '@/lib/db/client'
import { AppError, validationError } from '@/lib/server/errors/app-error'
import { entryExchangeError } from './entry-unconfirmed'
import { REQUEST_KEY_HEADER } from './request-key'

/** Thrown under the trader's lock when an entry with the request's key was recorded meanwhile (a repeat racing the first attempt). */
export class KeyedEntryExists extends Error {}

/**
 * The outcome of an earlier entry with the same key (its client order id), or null when there was
 * none: the position it opened, or the exchange's refusal as the first answer gave it. A key
 * reused for an entry of another symbol or side is a 400, not that position.
 */
export async function keyedEntry(db: Db, userId: string, req: { symbol: string; side: string }, clientOrderId: string): Promise<{ positionId: string; replayed: true } | null> {
  const [o] = await sqlOf(db).$queryRaw<{ positionId: string; status: string; rejectReason: string | null; symbol: string; side: string; userId: string }[]>`
    SELECT o."positionId", o.status::text AS status, o."rejectReason", p.symbol, p.side::text AS side, t."userId"
    FROM "Order" o JOIN "Position" p ON p.id = o."positionId" JOIN "Trader" t ON t.id = p."traderId"
    WHERE o."clientOrderId" = ${clientOrderId}`
  // Another user's trader: the entry goes on, and is refused as any entry on it would be.
  if (!o || o.userId !== userId) return null
  if (o.symbol !== req.symbol || o.side !== req.side) {
    throw validationError([{ field: REQUEST_KEY_HEADER, message: `was already used for another entry (position ${o.positionId}, ${o.side} ${o.symbol}); use a new key for a new entry` }])
  }
  if (o.status === 'REJECTED') throw entryExchangeError(new AppError('EXCHANGE_REJECTED', `the exchange refused: ${o.rejectReason ?? 'no reason given'}`), o.positionId, clientOrderId)
  return { positionId: o.positionId, replayed: true }
}

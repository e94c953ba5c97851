import { sqlOf, type Db } from '@/lib/db/client'
import { notFound, validationError } from '@/lib/server/errors/app-error'
import { exchangeRefused } from '@/lib/server/errors/known-error'
import { entryExchangeError } from './entry-unconfirmed'
import { keyedAttempt, otherRequest, REQUEST_KEY_HEADER, sameRequest, type KeyedOrder } from './request-key'

/** Thrown under the trader's lock when an entry with the request's key was recorded meanwhile (a repeat racing the first attempt). */
export class KeyedEntryExists extends Error {}

/**
 * For an entry with an Idempotency-Key: the outcome of an earlier attempt with the key (the
 * position it opened, or the exchange's refusal as the first answer gave it), or the client order
 * id this attempt's entry takes. A key reused for an entry of another symbol or side, or with
 * another body (`hash`, see requestHash), is a 400, not that position.
 */
export async function keyedEntry(
  db: Db,
  userId: string,
  req: { traderId: string; symbol: string; side: string },
  key: string,
  hash: string,
): Promise<{ replay: { positionId: string; replayed: true } } | { next: string }> {
  const attempt = await keyedAttempt(db, 'e', req.traderId, key, hash)
  if ('next' in attempt) {
    // An attempt that never left, with another body: refused as a reuse, once the trader is known to be theirs.
    if (attempt.other) await assertSameEntry(db, userId, req, attempt.other, hash)
    return { next: attempt.next }
  }
  const o = attempt.earlier
  await assertSameEntry(db, userId, req, o, hash)
  if (o.status === 'REJECTED') throw entryExchangeError(exchangeRefused(o.rejectReason), o.positionId!, o.clientOrderId)
  return { replay: { positionId: o.positionId!, replayed: true } }
}

/** 404 when the keyed order's trader is not the user's (as without a key); 400 when it was for another entry or body. */
async function assertSameEntry(db: Db, userId: string, req: { symbol: string; side: string }, o: KeyedOrder, hash: string) {
  const [p] = await sqlOf(db).$queryRaw<{ symbol: string; side: string; userId: string }[]>`
    SELECT p.symbol, p.side::text AS side, t."userId" FROM "Position" p JOIN "Trader" t ON t.id = p."traderId" WHERE p.id = ${o.positionId}`
  if (!p || p.userId !== userId) throw notFound('trader')
  if (p.symbol !== req.symbol || p.side !== req.side) {
    throw validationError([{ field: REQUEST_KEY_HEADER, message: `was already used for another entry (position ${o.positionId}, ${p.side} ${p.symbol}); use a new key for a new entry` }])
  }
  if (!sameRequest(o, hash)) throw otherRequest(o)
}

import { createHash } from 'node:crypto'
import { sqlOf, type Db } from '@/lib/db/client'
import { conflict, validationError } from '@/lib/server/errors/app-error'

/**
 * An `Idempotency-Key` request header (as in Stripe's API and the IETF draft): a client that
 * repeats an open or a close after a timeout sends the same key and gets the first attempt's
 * outcome instead of a second order.
 */
export const REQUEST_KEY_HEADER = 'Idempotency-Key'
/** Set on an answer that repeats an earlier request's outcome rather than acting again. */
export const REPLAYED_HEADER = 'Idempotent-Replayed'

const KEY = /^[\x21-\x7e]{1,255}$/

/** The request's key, if it sent one; a malformed one is a 400 naming the header. */
export function readRequestKey(req: Request): string | undefined {
  const key = req.headers.get(REQUEST_KEY_HEADER)
  if (key === null) return undefined
  if (!KEY.test(key)) throw validationError([{ field: REQUEST_KEY_HEADER, message: 'must be 1 to 255 visible ASCII characters (no spaces)' }])
  return key
}

/** Attempts a key may make whose order never left (each answered 503): the next is a 409. */
const MAX_ATTEMPTS = 20

/**
 * The client order ids a keyed request's order may have, one per attempt: the same for the same
 * key within `scope` (the trader of an entry, the position of an exit), so a repeat finds the
 * order an earlier attempt recorded, under the unique client order id, instead of sending another.
 * The scope is a random id, so each is as unique on the exchange as a random one; at most 35
 * characters, within Binance's 36.
 */
function keyedClientOrderIds(prefix: 'e' | 'x', scope: string, key: string): string[] {
  const base = `tl-${prefix}-k${createHash('sha256').update(`${scope}\0${key}`).digest('hex').slice(0, 26)}`
  return Array.from({ length: MAX_ATTEMPTS }, (_, i) => (i === 0 ? base : `${base}-${i}`))
}

/**
 * What identifies a keyed request's body: a digest of it as parsed (so "0.10" and "0.1", or keys
 * in another order, are the same request), stored on its order.
 */
export function requestHash(parsedBody: unknown): string {
  // JSON.stringify calls toJSON (a Decimal's string) before the replacer sees the value.
  const canonical = JSON.stringify(parsedBody, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  )
  return createHash('sha256').update(canonical).digest('hex')
}

/** An order an earlier attempt with the key recorded, as far as a repeat needs it. */
export type KeyedOrder = { id: string; clientOrderId: string; positionId: string | null; status: string; rejectReason: string | null; requestHash: string | null }

/** Whether `o` was placed for this body (orders from before bodies were recorded are taken as the same). */
export const sameRequest = (o: KeyedOrder, hash: string) => o.requestHash === null || o.requestHash === hash

/** A key reused with another body: a 400 naming the header, not the first request's outcome. */
export const otherRequest = (o: KeyedOrder) =>
  validationError([{ field: REQUEST_KEY_HEADER, message: `was already used for a request with another body (order ${o.clientOrderId}); repeat that request exactly, or use a new key for a new one` }])

/**
 * What earlier attempts with this key came to: the order one of them placed or had refused
 * (`earlier`: a repeat answers with it and sends nothing), or else the client order id this
 * attempt's order takes (`next`). An attempt whose order never left (a 429 back-off, a stop that
 * could not come off first: REJECTED "not sent", answered 503) settles nothing, so the key may be
 * tried again, under the next id, with the same body: `other` is such an attempt with another
 * body, if any. The caller checks the caller's ownership, then the body (sameRequest), of
 * `earlier` or `other`.
 */
export async function keyedAttempt(db: Db, prefix: 'e' | 'x', scope: string, key: string, hash: string): Promise<{ earlier: KeyedOrder } | { next: string; other?: KeyedOrder }> {
  const ids = keyedClientOrderIds(prefix, scope, key)
  const rows = await sqlOf(db).$queryRaw<KeyedOrder[]>`
    SELECT id, "clientOrderId", "positionId", status::text AS status, "rejectReason", "requestHash" FROM "Order" WHERE "clientOrderId" = ANY(${ids}::text[])`
  const earlier = rows.find((o) => !neverSent(o))
  if (earlier) return { earlier }
  const other = rows.find((o) => !sameRequest(o, hash))
  const next = ids.find((id) => !rows.some((o) => o.clientOrderId === id))
  if (!next) throw conflict(`${REQUEST_KEY_HEADER} has been tried ${MAX_ATTEMPTS} times without an order leaving; use a new key`)
  return { next, other }
}

/** Refused before it left (submitOrder's and requestExit's "not sent: …"). */
const neverSent = (o: KeyedOrder) => o.status === 'REJECTED' && (o.rejectReason ?? '').startsWith('not sent')

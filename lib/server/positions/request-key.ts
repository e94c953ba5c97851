import { createHash } from 'node:crypto'
import { validationError } from '@/lib/server/errors/app-error'

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

/**
 * The client order id of a keyed request's order: the same for the same key within `scope` (the
 * trader of an entry, the position of an exit), so a repeat finds the order the first attempt
 * recorded, under the unique client order id, instead of sending another. The scope is a random
 * id, so the id is as unique on the exchange as a random one; 34 characters, within Binance's 36.
 */
export function keyedClientOrderId(prefix: 'e' | 'x', scope: string, key: string): string {
  return `tl-${prefix}-k${createHash('sha256').update(`${scope}\0${key}`).digest('hex').slice(0, 28)}`
}

import { z } from 'zod'
import type { Db } from '@/lib/db/client'
import { dec } from '@/lib/domain/decimal'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { AppError, fromZodError, notFound } from '@/lib/server/errors/app-error'
import { ZPositiveDecimal } from '@/lib/server/validation/decimal-field'
import { requestExit } from './request-exit'
import { keyedAttempt, otherRequest, requestHash, sameRequest, type KeyedOrder } from './request-key'

const OPEN: string[] = ['OPEN', 'MONITORING']

export const ZClosePositionRequest = z.strictObject({
  sharePct: ZPositiveDecimal.refine((d) => d.lte(100), { message: 'must be at most 100' }).default(dec(100)),
})

/** Closes all of a position, or a share of it, at market. */
export async function closePosition(opts: {
  db: Db
  userId: string
  actor: ActorRef
  positionId: string
  input: unknown
  /** The exchange to send the exit to; by default the account's own (see exchangeForAccount). */
  exchange?: ExchangePort
  /** The request's Idempotency-Key: a close with the same key on the same position is not sent again. */
  requestKey?: string
}): Promise<{ orderId: string; replayed?: true } | { dust: string } | null> {
  const parsed = ZClosePositionRequest.safeParse(opts.input ?? {})
  if (!parsed.success) throw fromZodError(parsed.error)
  const pct = parsed.data.sharePct
  // A keyed close: an earlier attempt's exit answers for it; else this attempt's exit takes the key's next client order id.
  const hash = requestHash(parsed.data)
  const attempt = opts.requestKey ? await keyedAttempt(opts.db, 'x', opts.positionId, opts.requestKey, hash) : null
  if (attempt && 'earlier' in attempt) return replayExit(opts.db, opts.userId, attempt.earlier, hash)
  // An attempt that never left, with another body: replayExit refuses it as a reuse, once the position is known to be theirs.
  if (attempt?.other) return replayExit(opts.db, opts.userId, attempt.other, hash)
  const clientOrderId = attempt?.next
  const exit = await requestExit({
    db: opts.db,
    userId: opts.userId,
    positionId: opts.positionId,
    actor: opts.actor,
    exchange: opts.exchange,
    purpose: 'MANUAL_EXIT',
    size: pct.gte(100) ? { kind: 'ALL' } : { kind: 'SHARE', pct },
    reason: pct.gte(100) ? 'Close requested' : `Partial close of ${pct.toFixed()}% requested`,
    // Checked under the position's lock: one recorded meanwhile (a repeat racing this one) is not sent again.
    clientOrderId,
    requestHash: clientOrderId ? hash : undefined,
  })
  if (!exit && clientOrderId) {
    const raced = await opts.db.order.findUnique({ where: { clientOrderId }, select: { id: true, clientOrderId: true, positionId: true, status: true, rejectReason: true, requestHash: true } })
    if (raced) return replayExit(opts.db, opts.userId, raced, hash)
  }
  // Nothing the exchange would take: closed with the coins left in the account (see closeAsDust).
  if (exit && 'dust' in exit) return exit
  // Refused: the position is open again as it was; the person closing it hears why.
  if (exit?.refused) throw exitRefused(exit.refused.message, 'still open')
  return exit && { orderId: exit.orderId }
}

/**
 * The answer to a repeated keyed close: the exit an earlier attempt sent (its position as it is
 * now), or the exchange's refusal of it, as the first answer gave it; a 400 if that exit was for
 * another body (another share).
 */
async function replayExit(db: Db, userId: string, o: KeyedOrder, hash: string): Promise<{ orderId: string; replayed: true }> {
  const p = await db.position.findFirst({ where: { id: o.positionId ?? '', trader: { userId } }, select: { status: true } })
  if (!p) throw notFound('position')
  if (!sameRequest(o, hash)) throw otherRequest(o)
  if (o.status === 'REJECTED') {
    const now = OPEN.includes(p.status) ? 'still open' : `now ${p.status.toLowerCase()}`
    throw exitRefused(o.rejectReason ?? 'no reason given', now)
  }
  return { orderId: o.id, replayed: true }
}

const exitRefused = (reason: string, position: string) =>
  new AppError('EXCHANGE_REJECTED', `the exchange refused the exit order: ${reason}; the position is ${position}`)

import { z } from 'zod'
import type { Db } from '@/lib/db/client'
import { dec } from '@/lib/domain/decimal'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { AppError, fromZodError } from '@/lib/server/errors/app-error'
import { ZPositiveDecimal } from '@/lib/server/validation/decimal-field'
import { requestExit } from './request-exit'
import { keyedClientOrderId } from './request-key'

const OPEN: string[] = ['OPEN', 'MONITORING']

export const ZClosePositionRequest = z.object({
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
}): Promise<{ orderId: string; replayed?: true } | null> {
  const parsed = ZClosePositionRequest.safeParse(opts.input ?? {})
  if (!parsed.success) throw fromZodError(parsed.error)
  const pct = parsed.data.sharePct
  const clientOrderId = opts.requestKey ? keyedClientOrderId('x', opts.positionId, opts.requestKey) : undefined
  const exit = await requestExit({
    db: opts.db,
    userId: opts.userId,
    positionId: opts.positionId,
    actor: opts.actor,
    exchange: opts.exchange,
    purpose: 'MANUAL_EXIT',
    size: pct.gte(100) ? { kind: 'ALL' } : { kind: 'SHARE', pct },
    reason: pct.gte(100) ? 'Close requested' : `Partial close of ${pct.toFixed()}% requested`,
    // Checked under the position's lock (after its owner): an exit with it already recorded is not sent again.
    clientOrderId,
  })
  if (!exit && clientOrderId) {
    const earlier = await opts.db.order.findUnique({ where: { clientOrderId }, select: { id: true, status: true, rejectReason: true, position: { select: { status: true } } } })
    if (earlier?.status === 'REJECTED') {
      const now = earlier.position && !OPEN.includes(earlier.position.status) ? `now ${earlier.position.status.toLowerCase()}` : 'still open'
      throw new AppError('EXCHANGE_REJECTED', `the exchange refused the exit order: ${earlier.rejectReason ?? 'no reason given'}; the position is ${now}`)
    }
    if (earlier) return { orderId: earlier.id, replayed: true }
  }
  // Refused: the position is open again as it was; the person closing it hears why.
  if (exit?.refused) throw new AppError('EXCHANGE_REJECTED', `the exchange refused the exit order: ${exit.refused.message}; the position is still open`)
  return exit && { orderId: exit.orderId }
}

import type { Db } from '@/lib/db/client'
import type { OrderStatus } from '@/lib/domain/orders/order-lifecycle'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { conflict, notFound } from '@/lib/server/errors/app-error'
import { ACCOUNT_REF, exchangeForAccount } from '@/lib/server/exchange/exchange-for-account'
import { applyOrderReport } from '@/lib/server/orders/apply-order-report'

/** Cancels a resting limit entry. With no fill the position ends FAILED ("entry canceled"). */
export async function cancelEntry(opts: {
  db: Db
  userId: string
  actor: ActorRef
  positionId: string
  /** Recorded as the order's reject reason; default "canceled by user". */
  reason?: string
  /** The exchange to cancel on; by default the account's own (see exchangeForAccount). */
  exchange?: ExchangePort
}): Promise<{ clientOrderId: string; status: OrderStatus }> {
  const { db } = opts
  const p = await db.position.findFirst({
    where: { id: opts.positionId, trader: { userId: opts.userId } },
    include: { account: { select: ACCOUNT_REF } },
  })
  if (!p) throw notFound('position')
  const entry = await db.order.findFirst({ where: { positionId: p.id, purpose: 'ENTRY', status: { in: ['SUBMITTED', 'PARTIALLY_FILLED'] } } })
  if (!entry) throw conflict('this position has no resting entry order to cancel')
  const status = await cancelWorkingEntry(db, opts.exchange ?? exchangeForAccount(db, p.account), entry, opts.reason ?? 'canceled by user', opts.actor)
  return { clientOrderId: entry.clientOrderId, status }
}

/**
 * Asks the exchange to cancel a working entry order and books its answer (fills that came
 * before the cancel included); `reason` is recorded when it was canceled. Returns its status.
 */
export async function cancelWorkingEntry(db: Db, exchange: ExchangePort, entry: { id: string; clientOrderId: string }, reason: string, actor: ActorRef): Promise<OrderStatus> {
  const report = await exchange.cancelOrder(entry.clientOrderId)
  await applyOrderReport(db, entry.id, { ...report, rejectReason: report.status === 'CANCELED' ? reason : report.rejectReason }, actor)
  return report.status
}

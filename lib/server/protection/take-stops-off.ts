import type { Db } from '@/lib/db/client'
import { isTerminalOrderStatus, type OrderStatus } from '@/lib/domain/orders/order-lifecycle'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { applyOrderReport } from '@/lib/server/orders/apply-order-report'
import { AppError } from '@/lib/server/errors/app-error'

/** The columns takeStopsOff needs of each stop. */
export const STOP_TO_CANCEL = { id: true, clientOrderId: true, status: true } as const
/** A resting stop as STOP_TO_CANCEL selects it. */
export type StopToCancel = { id: string; clientOrderId: string; status: OrderStatus }

/** Seconds to wait before trying again when an accepted cancel has not taken effect yet. */
const CANCEL_PENDING_RETRY_S = 5

/**
 * Cancels resting stops already marked cancelRequestedAt, and records what the exchange says
 * (a stop that executed before the cancel arrived is booked as filled, never as canceled).
 * A stop still NEW may never have reached the exchange: it is looked up, not canceled blindly;
 * one the exchange does not know is left NEW for reconciliation (and, should it turn up, the
 * keeper cancels it: it is marked). Throws the exchange's error when a cancel fails, and a 503
 * when the exchange took a cancel but still shows the stop working (Coinbase queues cancels):
 * the stop still holds the coins and may yet execute, so nothing may be sent in its place yet.
 */
export async function takeStopsOff(db: Db, exchange: ExchangePort, stops: StopToCancel[], actor: ActorRef, why: string): Promise<void> {
  const pending: string[] = []
  for (const s of stops) {
    if (s.status === 'NEW') {
      const seen = await exchange.fetchOrder(s.clientOrderId)
      if (!seen) continue
      await applyOrderReport(db, s.id, seen, actor)
      if (isTerminalOrderStatus(seen.status)) continue
    }
    const r = await exchange.cancelOrder(s.clientOrderId)
    await applyOrderReport(db, s.id, { ...r, rejectReason: r.status === 'CANCELED' ? why : r.rejectReason }, actor)
    if (!isTerminalOrderStatus(r.status)) pending.push(s.clientOrderId)
  }
  if (pending.length) {
    throw new AppError(
      'EXCHANGE_UNAVAILABLE',
      `the exchange accepted the cancel of resting stop ${pending.join(', ')} but has not carried it out yet (the stop still holds the coins); try again in a few seconds`,
      undefined,
      undefined,
      CANCEL_PENDING_RETRY_S,
    )
  }
}

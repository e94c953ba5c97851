import type { Db } from '@/lib/db/client'
import { isTerminalOrderStatus, type OrderStatus } from '@/lib/domain/orders/order-lifecycle'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { applyOrderReport } from '@/lib/server/orders/apply-order-report'

/** The columns takeStopsOff needs of each stop. */
export const STOP_TO_CANCEL = { id: true, clientOrderId: true, status: true } as const
/** A resting stop as STOP_TO_CANCEL selects it. */
export type StopToCancel = { id: string; clientOrderId: string; status: OrderStatus }

/**
 * Cancels resting stops already marked cancelRequestedAt, and records what the exchange says
 * (a stop that executed before the cancel arrived is booked as filled, never as canceled).
 * A stop still NEW may never have reached the exchange: it is looked up, not canceled blindly;
 * one the exchange does not know is left NEW for reconciliation (and, should it turn up, the
 * keeper cancels it: it is marked). Throws the exchange's error when a cancel fails.
 */
export async function takeStopsOff(db: Db, exchange: ExchangePort, stops: StopToCancel[], actor: ActorRef, why: string): Promise<void> {
  for (const s of stops) {
    if (s.status === 'NEW') {
      const seen = await exchange.fetchOrder(s.clientOrderId)
      if (!seen) continue
      await applyOrderReport(db, s.id, seen, actor)
      if (isTerminalOrderStatus(seen.status)) continue
    }
    const r = await exchange.cancelOrder(s.clientOrderId)
    await applyOrderReport(db, s.id, { ...r, rejectReason: r.status === 'CANCELED' ? why : r.rejectReason }, actor)
  }
}

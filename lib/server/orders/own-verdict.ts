import { fromDb } from '@/lib/db/decimal-columns'
import type { OrderReport } from '@/lib/exchange/port'

/** How the reject reason of an order declared lost begins: the reconciler still asks about those, and books a late fill. */
export const LOST = 'lost:'

/**
 * A report we write ourselves, for an order the exchange has nothing to say about: refused or
 * never sent, canceled before it left, declared lost. It carries no fills; those already
 * recorded stay (fills are only ever added).
 */
export function ownVerdict(order: { clientOrderId: string; filledQty?: { toString(): string } }, status: 'REJECTED' | 'CANCELED', reason: string): OrderReport {
  return {
    clientOrderId: order.clientOrderId,
    exchangeOrderId: null,
    status,
    filledQty: fromDb(order.filledQty ?? 0),
    fills: [],
    rejectReason: reason,
  }
}

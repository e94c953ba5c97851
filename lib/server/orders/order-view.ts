import { fromDb } from '@/lib/db/decimal-columns'
import type { Order } from '@/lib/generated/prisma/client'

/** An order as it leaves the server: decimals as exact strings. */
export function toOrderView(o: Order) {
  return {
    id: o.id,
    clientOrderId: o.clientOrderId,
    purpose: o.purpose,
    side: o.side,
    type: o.type,
    qty: fromDb(o.qty).toFixed(),
    price: o.price ? fromDb(o.price).toFixed() : null,
    status: o.status,
    filledQty: fromDb(o.filledQty).toFixed(),
    avgFillPrice: o.avgFillPrice ? fromDb(o.avgFillPrice).toFixed() : null,
    rejectReason: o.rejectReason,
    createdBy: o.createdBy,
    createdAt: o.createdAt.toISOString(),
  }
}

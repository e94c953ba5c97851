import { fromDb } from '@/lib/db/decimal-columns'
import type { Order } from '@/lib/generated/prisma/client'

type Num = { toString(): string }
/** What the view reads of an order row (Prisma's, or one read by SQL with decimals as text). */
export type OrderViewRow = Pick<Order, 'id' | 'clientOrderId' | 'purpose' | 'side' | 'type' | 'status' | 'exchangeOrderId' | 'cancelRequestedAt' | 'rejectReason' | 'createdBy' | 'createdAt'> & {
  qty: Num
  price: Num | null
  triggerPrice: Num | null
  filledQty: Num
  avgFillPrice: Num | null
}

/** An order as it leaves the server: decimals as exact strings. */
export function toOrderView(o: OrderViewRow) {
  return {
    id: o.id,
    clientOrderId: o.clientOrderId,
    purpose: o.purpose,
    side: o.side,
    type: o.type,
    qty: fromDb(o.qty).toFixed(),
    price: o.price ? fromDb(o.price).toFixed() : null,
    triggerPrice: o.triggerPrice ? fromDb(o.triggerPrice).toFixed() : null,
    status: o.status,
    /** The exchange's own id, once it has acknowledged the order. */
    exchangeOrderId: o.exchangeOrderId,
    /** A resting stop asked to come off the exchange (an exit or a replacement is under way). */
    cancelRequested: o.cancelRequestedAt !== null,
    filledQty: fromDb(o.filledQty).toFixed(),
    avgFillPrice: o.avgFillPrice ? fromDb(o.avgFillPrice).toFixed() : null,
    rejectReason: o.rejectReason,
    createdBy: o.createdBy,
    createdAt: o.createdAt.toISOString(),
  }
}

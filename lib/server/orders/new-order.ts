import { newId } from '@/lib/db/new-id'
import { Prisma } from '@/lib/generated/prisma/client'
import type { Actor, OrderPurpose, OrderSide, OrderType } from '@/lib/generated/prisma/enums'
import type { SendableOrder } from './submit-order'
import type { LockedOrder } from './apply-order-report'

/** An order of a position as an entry or an exit creates it: NEW, its client order id chosen. */
export interface NewOrderInput {
  accountId: string
  traderId: string
  positionId: string
  clientOrderId: string
  symbol: string
  side: OrderSide
  type: OrderType
  purpose: OrderPurpose
  /** Exact decimal strings (toDb). */
  qty: string
  price: string | null
  /** Where slippage is measured from: the limit, or the side of the quote a market order takes. */
  expectedPrice: string
  reduceOnly: boolean
  /** The take-profit level an exit serves. */
  takeProfitId?: string | null
  /** For a request with an Idempotency-Key: its body's digest (see requestHash). */
  requestHash?: string
  createdBy: Actor
  at: Date
}

/**
 * The order row (an INSERT to send in the caller's transaction, on its own or as the last part of
 * a larger statement), the order as submitOrder sends it once that has committed, and as a report
 * is applied to it in that transaction (`created`, see ApplyOrderReportOptions.held): one column
 * list for every order a position's entry or exit writes.
 */
export function newOrder(o: NewOrderInput): { insert: Prisma.Sql; order: SendableOrder; created: LockedOrder } {
  const id = newId()
  const insert = Prisma.sql`
    INSERT INTO "Order" (id, "accountId", "traderId", "positionId", "clientOrderId", symbol, side, type, purpose, qty, price, "expectedPrice", "reduceOnly",
      status, "takeProfitId", "requestHash", "createdBy", "createdAt", "updatedAt")
    VALUES (${id}, ${o.accountId}, ${o.traderId}, ${o.positionId}, ${o.clientOrderId}, ${o.symbol}, ${o.side}::"OrderSide", ${o.type}::"OrderType",
      ${o.purpose}::"OrderPurpose", ${o.qty}::numeric, ${o.price}::numeric, ${o.expectedPrice}::numeric, ${o.reduceOnly},
      'NEW', ${o.takeProfitId ?? null}, ${o.requestHash ?? null}, ${o.createdBy}::"Actor", ${o.at}::timestamp(3), ${o.at}::timestamp(3))`
  const order = { id, clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side, type: o.type, reduceOnly: o.reduceOnly, status: 'NEW' as const, qty: o.qty, filledQty: '0', price: o.price, triggerPrice: null }
  const created: LockedOrder = {
    id, positionId: o.positionId, takeProfitId: o.takeProfitId ?? null, listClientOrderId: null, clientOrderId: o.clientOrderId, exchangeOrderId: null,
    side: o.side, type: o.type, purpose: o.purpose, status: 'NEW', rejectReason: null, notFoundCount: 0, submitted: false,
  }
  return { insert, order, created }
}

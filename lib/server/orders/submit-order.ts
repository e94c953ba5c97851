import type { Db } from '@/lib/db/client'
import type { SqlTx } from '@/lib/db/sql-tx'
import { ownVerdict } from './own-verdict'
import { fromDb, fromDbOrNull } from '@/lib/db/decimal-columns'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import type { ExchangePort, OrderReport, PlaceOrderRequest } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import type { Order as OrderRow } from '@/lib/generated/prisma/client'
import { applyOrderReport, applyOrderReportIn, type HeldOrder } from './apply-order-report'

/** What sending an order reads of its row (a Prisma Order row, or the columns an SQL insert returned). */
export type SendableOrder = Pick<OrderRow, 'id' | 'clientOrderId' | 'symbol' | 'side' | 'type' | 'reduceOnly' | 'status'> & {
  qty: Num
  filledQty: Num
  price: Num | null
  triggerPrice: Num | null
}
type Num = { toString(): string }

/**
 * Sends an order already persisted as NEW (its client order id is committed) and applies the
 * exchange's answer: in the placement's own transaction when the exchange offers that
 * (placeOrderAndApply: the paper engine), else after placeOrder returns. A refusal, or a request
 * that never left (retryable: rethrown), ends REJECTED; an unknown outcome leaves it NEW for
 * reconciliation, which asks the exchange by client order id: neither lost nor sent twice.
 * It also stamps lastCheckedAt: this sender has finished, so reconciliation need not wait out
 * the grace it gives NEW orders whose sender may still be sending (it still asks the exchange
 * several times, spaced, before it calls the order lost).
 * Returns the exchange's refusal when it refused the order (now REJECTED), else null: a caller
 * answering a person tells them, rather than report an order sent.
 */
export async function submitOrder(db: Db, exchange: ExchangePort, order: string | SendableOrder, actor: ActorRef): Promise<ExchangeError | null> {
  // A caller that has just created the order passes its row: reading it back would change nothing.
  const o = typeof order === 'string' ? await db.order.findUniqueOrThrow({ where: { id: order } }) : order
  const orderId = o.id
  if (o.status !== 'NEW') return null
  try {
    const req = placeRequestOf(o)
    if (exchange.placeOrderAndApply) {
      // The exchange shares our database: its answer is booked in the placement's transaction.
      return refusalIn(await exchange.placeOrderAndApply(req, applyingTo(orderId, actor)))
    }
    const report = await exchange.placeOrder(req)
    await applyOrderReport(db, orderId, report, actor)
    return refusalIn(report)
  } catch (e) {
    // A definite refusal is REJECTED; so is a request that provably never left (a 429 back-off,
    // an invalid nonce): 'retryable' means not executed, and the caller is told (503) so it can
    // try again with a new order. Only an 'unknown' outcome stays NEW, to be looked up.
    if (e instanceof ExchangeError && e.kind !== 'unknown') {
      await applyOrderReport(db, orderId, ownVerdict(o, 'REJECTED', e.kind === 'rejected' ? e.message : `not sent: ${e.message}`), actor)
      if (e.kind === 'rejected') return e
      throw e
    }
    await db.order
      .updateMany({ where: { id: orderId, status: 'NEW', lastCheckedAt: null }, data: { lastCheckedAt: new Date() } })
      .catch(() => {}) // the database failing too: reconciliation falls back to the grace period
    throw e
  }
}

/**
 * For an exchange that keeps its books in our database (placeOrderAndApply): places the NEW
 * order `o` inside `tx`, the caller's transaction that created it, and applies the report there.
 * The order, its placement and their bookkeeping commit together; an error rolls all of it back
 * (nothing was sent anywhere else). Returns false, doing nothing, for any other exchange: send the
 * order with submitOrder once it is committed. Placed, it says whether the exchange refused the
 * order (as submitOrder does).
 */
export async function submitOrderWithin(tx: SqlTx, exchange: ExchangePort, o: SendableOrder, actor: ActorRef, held?: HeldOrder): Promise<false | { refused: ExchangeError | null }> {
  if (!exchange.placeOrderAndApply) return false
  return { refused: refusalIn(await exchange.placeOrderAndApply(placeRequestOf(o), applyingTo(o.id, actor, held), tx)) }
}

/** A refusal that came back as a report (the paper engine's, an order a venue took in and refused), as the error a caller can pass on. */
function refusalIn(report: OrderReport): ExchangeError | null {
  return report.status === 'REJECTED' ? new ExchangeError(report.rejectReason ?? 'the order was rejected', false) : null
}

/** placeOrderAndApply's `apply` for our order `orderId`: books the report in the placement's transaction. */
function applyingTo(orderId: string, actor: ActorRef, held?: HeldOrder) {
  return async (report: OrderReport, tx: SqlTx) => void (await applyOrderReportIn(tx, orderId, report, actor, { held }))
}

function placeRequestOf(o: SendableOrder): PlaceOrderRequest {
  return {
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    qty: fromDb(o.qty),
    price: fromDbOrNull(o.price) ?? undefined,
    triggerPrice: fromDbOrNull(o.triggerPrice) ?? undefined,
    reduceOnly: o.reduceOnly,
  }
}

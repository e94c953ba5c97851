import type { Db } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import type { ActorRef } from '@/lib/server/audit/actor'
import { exchangeForAccount } from '@/lib/server/exchange/exchange-for-account'
import { applyOrderReport } from '@/lib/server/orders/apply-order-report'

/**
 * After a restart, asks the exchange about every order we have not seen finish, by client
 * order id. An order the exchange never received is marked rejected rather than re-sent:
 * the decision to trade was made at a price that is gone.
 */
export async function reconcileOrders(db: Db, actor: ActorRef, log: (m: string) => void): Promise<number> {
  const open = await db.order.findMany({ where: { status: { in: ['NEW', 'SUBMITTED', 'PARTIALLY_FILLED'] } }, include: { account: true } })
  for (const o of open) {
    const report = await exchangeForAccount(db, o.account).fetchOrder(o.clientOrderId)
    await applyOrderReport(
      db,
      o.id,
      report ?? {
        clientOrderId: o.clientOrderId,
        exchangeOrderId: null,
        status: 'REJECTED',
        filledQty: fromDb(o.filledQty),
        fills: [],
        rejectReason: 'never reached the exchange before a restart; not re-sent',
      },
      actor,
    )
  }
  if (open.length) log(`reconciled ${open.length} unfinished order(s) with the exchange`)
  return open.length
}

/** Applies updates for paper orders the matching engine just filled. */
export async function applyExchangeUpdates(db: Db, changed: { accountId: string; clientOrderId: string }[], actor: ActorRef) {
  for (const c of changed) {
    const o = await db.order.findUnique({ where: { clientOrderId: c.clientOrderId }, include: { account: true } })
    if (!o) continue
    const report = await exchangeForAccount(db, o.account).fetchOrder(c.clientOrderId)
    if (report) await applyOrderReport(db, o.id, report, actor)
  }
}

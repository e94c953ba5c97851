import type { DbTx } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import type { Decimal } from '@/lib/domain/decimal'
import { lastLevelTakesRest } from '@/lib/domain/positions/take-profit-split'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import type { Order } from '@/lib/generated/prisma/client'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { applyOrderReportIn } from '@/lib/server/orders/apply-order-report'
import { ownVerdict } from '@/lib/server/orders/own-verdict'

/** The take-profit that rests on the exchange paired with the stop (one-cancels-the-other). */
export interface PairedTarget {
  takeProfitId: string
  price: Decimal
}

/**
 * The position's take-profit to rest on the exchange with its stop, on venues with OCO: only when
 * one level is left and it takes whatever remains (a plan adding up to 100%), since both legs of
 * a pair share one quantity. Otherwise the stop rests alone and the worker holds the targets. A
 * pair the exchange refused at this price (a target the market has already passed, say) is not
 * tried again: the stop rests alone and the worker watches the target.
 */
export async function pairedTargetFor(tx: DbTx, positionId: string): Promise<PairedTarget | null> {
  const levels = await tx.takeProfit.findMany({ where: { positionId, status: { not: 'CANCELED' } }, select: { id: true, price: true, sharePct: true, status: true } })
  if (!lastLevelTakesRest(levels.map((t) => ({ status: t.status, sharePct: fromDb(t.sharePct) })))) return null
  const tp = levels.find((t) => t.status === 'ACTIVE')!
  const refused = await tx.order.findFirst({
    where: { takeProfitId: tp.id, listClientOrderId: { not: null }, status: 'REJECTED', price: tp.price, NOT: { rejectReason: { startsWith: 'not sent' } } },
    select: { id: true },
  })
  return refused ? null : { takeProfitId: tp.id, price: fromDb(tp.price) }
}

type Leg = Pick<Order, 'id' | 'clientOrderId' | 'symbol' | 'side' | 'qty' | 'filledQty' | 'price' | 'triggerPrice' | 'listClientOrderId'>

export type PairOutcome = { outcome: 'placed' } | { outcome: 'unknown'; error: string } | { outcome: 'deferred' } | { outcome: 'pair-refused'; reason: string }

/**
 * Sends a committed NEW pair (inside the caller's transaction, holding the position's lock) and
 * books both legs' answers. An unknown outcome leaves both NEW for reconciliation to look up by
 * client order id; a pair the exchange refused is booked REJECTED on both legs.
 */
export async function sendPair(tx: DbTx, exchange: ExchangePort, stop: Leg, target: Leg, actor: ActorRef): Promise<PairOutcome> {
  let reports
  try {
    reports = await exchange.placeOco!({
      listClientOrderId: stop.listClientOrderId!,
      symbol: stop.symbol,
      side: stop.side,
      qty: fromDb(stop.qty),
      target: { clientOrderId: target.clientOrderId, price: fromDb(target.price!) },
      stop: { clientOrderId: stop.clientOrderId, triggerPrice: fromDb(stop.triggerPrice!) },
    })
  } catch (e) {
    if (!(e instanceof ExchangeError) || e.kind === 'unknown') {
      await tx.order.updateMany({ where: { id: { in: [stop.id, target.id] } }, data: { lastCheckedAt: new Date() } })
      return { outcome: 'unknown', error: (e as Error).message }
    }
    const reason = e.kind === 'rejected' ? e.message : `not sent: ${e.message}`
    for (const leg of [stop, target]) await applyOrderReportIn(tx, leg.id, ownVerdict(leg, 'REJECTED', reason), actor)
    return e.kind === 'rejected' ? { outcome: 'pair-refused', reason } : { outcome: 'deferred' }
  }
  await applyOrderReportIn(tx, stop.id, reports.stop, actor)
  await applyOrderReportIn(tx, target.id, reports.target, actor)
  if (reports.stop.status === 'REJECTED' || reports.target.status === 'REJECTED') {
    return { outcome: 'pair-refused', reason: reports.stop.rejectReason ?? reports.target.rejectReason ?? 'no reason given' }
  }
  return { outcome: 'placed' }
}

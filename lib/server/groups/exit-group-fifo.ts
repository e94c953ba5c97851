import type { Db } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { ZERO, minDec, type Decimal } from '@/lib/domain/decimal'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { conflict, notFound, validationError } from '@/lib/server/errors/app-error'
import type { AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { requestExit } from '@/lib/server/positions/request-exit'
import { EXIT_ORDER, WORKING_STATUSES } from '@/lib/server/protection/resting-stop'

export interface GroupExit {
  legId: string
  positionId: string
  orderId: string
  qty: string
}

/**
 * Sells (LONG) or buys back (SHORT) `qty` of an open group, first in, first out: from the leg
 * that filled first, then the next. Each leg is reduced through the one exit path (requestExit);
 * the group's average entry is not touched (exits never change it). Refused while an exit of one
 * of its legs is still working, so two partial exits cannot both count the same holding. An exit
 * the exchange refuses counts for nothing: what it was to sell stays in `unfilled`, with the
 * refusal in `refused` (as does a leg too small to sell, closed as dust).
 */
export async function exitGroupFifo(o: {
  db: Db
  userId: string
  groupId: string
  qty: Decimal
  actor: ActorRef
  reason: string
  exchange?: ExchangePort
  exchangeFor?: (account: AccountRef) => ExchangePort
  /**
   * Chosen and recorded by the caller before it asks (a signal notes it on itself): each leg's exit
   * order is `<base>-<n>`. The exits of an earlier attempt with the same base (stopped part way)
   * count towards `qty` and are not sent again.
   */
  clientOrderIdBase?: string
}): Promise<{ exits: GroupExit[]; unfilled: Decimal; refused: string[] }> {
  const g = await o.db.positionGroup.findFirst({ where: { id: o.groupId, userId: o.userId }, select: { id: true, status: true, symbol: true } })
  if (!g) throw notFound('position group')
  const earlier = o.clientOrderIdBase
    ? await o.db.order.findMany({
        where: { position: { groupId: g.id }, clientOrderId: { startsWith: `${o.clientOrderIdBase}-` } },
        orderBy: { createdAt: 'asc' },
        select: { id: true, qty: true, status: true, positionId: true, position: { select: { groupLegId: true } } },
      })
    : []
  const counted = earlier.filter((e) => e.status !== 'REJECTED')
  const exits: GroupExit[] = counted.map((e) => ({ legId: e.position!.groupLegId!, positionId: e.positionId!, orderId: e.id, qty: fromDb(e.qty).toFixed() }))
  let left = counted.reduce((l, e) => l.minus(fromDb(e.qty)), o.qty)
  const refused: string[] = []
  if (left.lte(0)) return { exits, unfilled: ZERO, refused }
  if (g.status !== 'OPEN') throw conflict(`the ${g.symbol} group is ${g.status.toLowerCase()}: only an open group can be reduced`)
  const legs = await o.db.position.findMany({
    where: { groupId: g.id, status: { in: ['OPEN', 'MONITORING'] }, openQty: { gt: 0 } },
    select: { id: true, groupLegId: true, openQty: true, openedAt: true, createdAt: true },
  })
  // (An exit under this attempt's own ids is not another's: an attempt beside this one made it, see below.)
  const others = o.clientOrderIdBase ? { NOT: { clientOrderId: { startsWith: `${o.clientOrderIdBase}-` } } } : {}
  if (await o.db.order.count({ where: { positionId: { in: legs.map((l) => l.id) }, ...EXIT_ORDER, status: { in: WORKING_STATUSES }, ...others } })) {
    throw conflict(`an exit of the ${g.symbol} group is still working: try again once it has ended`)
  }
  const held = legs.reduce((s, l) => s.plus(fromDb(l.openQty)), ZERO)
  if (left.gt(held)) throw validationError([{ field: 'qty', message: `${left.toFixed()} is more than the ${held.toFixed()} the ${g.symbol} group holds: send close to exit it whole` }])
  // First in, first out: by when each leg's entry filled.
  legs.sort((a, b) => (a.openedAt ?? a.createdAt).getTime() - (b.openedAt ?? b.createdAt).getTime() || (a.id < b.id ? -1 : 1))

  // Numbered past every earlier attempt's orders, refused ones included: a client id is never reused.
  let made = earlier.length
  for (const leg of legs) {
    if (left.lte(0)) break
    const take = minDec(left, fromDb(leg.openQty))
    const clientOrderId = o.clientOrderIdBase ? `${o.clientOrderIdBase}-${++made}` : undefined
    const sent = await requestExit({ db: o.db, positionId: leg.id, size: { kind: 'QTY', qty: take }, purpose: 'MANUAL_EXIT', actor: o.actor, reason: o.reason, userId: o.userId, exchange: o.exchange, exchangeFor: o.exchangeFor, clientOrderId })
    if (!sent) {
      // An attempt running beside this one (its worker's lock went with its connection, and
      // another worker took the signal over) made this exit under the same id first: it counts
      // here as there, so this attempt does not go on to sell the next leg in its place.
      // (Its leg may be another than this one: the legs were read after it had sold.)
      const raced = clientOrderId ? await o.db.order.findUnique({ where: { clientOrderId }, select: { id: true, qty: true, status: true, positionId: true, position: { select: { groupLegId: true } } } }) : null
      if (raced && raced.status !== 'REJECTED') {
        exits.push({ legId: raced.position!.groupLegId!, positionId: raced.positionId!, orderId: raced.id, qty: fromDb(raced.qty).toFixed() })
        left = left.minus(fromDb(raced.qty))
      }
      continue
    }
    if ('dust' in sent) {
      refused.push(`leg ${leg.id} closed as dust, nothing sold: ${sent.dust}`)
      continue
    }
    if (sent.refused) {
      refused.push(`${take.toFixed()} of leg ${leg.id}: ${sent.refused.message}`)
      continue
    }
    // The exit path may round to the step, or take the whole leg rather than strand dust.
    const order = await o.db.order.findUniqueOrThrow({ where: { id: sent.orderId }, select: { qty: true } })
    const qty = fromDb(order.qty)
    exits.push({ legId: leg.groupLegId!, positionId: leg.id, orderId: sent.orderId, qty: qty.toFixed() })
    left = left.minus(qty)
  }
  return { exits, unfilled: left.gt(0) ? left : ZERO, refused }
}

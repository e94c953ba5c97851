import type { Db } from '@/lib/db/client'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { conflict, notFound } from '@/lib/server/errors/app-error'
import type { AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { syncGroup } from './sync-group'

/**
 * Closes a whole group (a person's button, or a close/exit signal): it stops placing legs at once,
 * its waiting legs are canceled, its resting entries canceled and what it holds sold at market.
 * A group already closing or closed is not an error for a signal (the strategy wants to be flat);
 * a person is told.
 */
export async function closeGroup(o: {
  db: Db
  userId: string
  groupId: string
  actor: ActorRef
  reason: string
  exchange?: ExchangePort
  exchangeFor?: (account: AccountRef) => ExchangePort
  /** Refuse (409) a group that is not open, as a person's request should be. */
  strict?: boolean
}): Promise<{ status: 'CLOSING' | 'CLOSED' }> {
  const changed = await o.db.$transaction(async (tx) => {
    const [g] = await tx.$queryRaw<{ id: string; status: string }[]>`SELECT id, status::text AS status FROM "PositionGroup" WHERE id = ${o.groupId} AND "userId" = ${o.userId} FOR UPDATE`
    if (!g) throw notFound('position group')
    if (g.status !== 'OPEN') {
      if (o.strict) throw conflict(`the group is already ${g.status.toLowerCase()}`)
      return false
    }
    await tx.positionGroup.update({ where: { id: g.id }, data: { status: 'CLOSING', closeReason: o.reason } })
    await tx.groupLeg.updateMany({ where: { groupId: g.id, status: 'PLANNED' }, data: { status: 'CANCELED', reason: 'the group was closed first' } })
    return true
  })
  if (changed) await syncGroup({ db: o.db, groupId: o.groupId, actor: o.actor, exchange: o.exchange, exchangeFor: o.exchangeFor })
  const after = await o.db.positionGroup.findUniqueOrThrow({ where: { id: o.groupId }, select: { status: true } })
  return { status: after.status === 'CLOSED' ? 'CLOSED' : 'CLOSING' }
}

import type { Db } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec, type Decimal } from '@/lib/domain/decimal'
import type { PositionSide } from '@/lib/domain/positions/fill-ledger'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { conflict } from '@/lib/server/errors/app-error'
import { exchangeForAccount, type AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { closeGroup } from '@/lib/server/groups/close-group'
import { exitGroupFifo } from '@/lib/server/groups/exit-group-fifo'
import type { GroupSettings } from '@/lib/server/groups/group-settings'
import { placeGroupLegs } from '@/lib/server/groups/place-group-legs'
import { removeWaiting, type QueuedInPool } from '@/lib/server/groups/group-pool'
import { planGroupEntry } from '@/lib/server/groups/plan-group-entry'
import type { SignalOutcome } from './process-signal'

interface GroupSignal {
  db: Db
  actor: ActorRef
  signalId: string
  traderId: string
  userId: string
  account: AccountRef
  symbol: string
  fields: Record<string, string | undefined>
  exchange?: ExchangePort
}

/** The signal's `interval` names the group's timeframe ("" without one). */
export const timeframeOf = (fields: Record<string, string | undefined>) => (fields.interval ?? '').slice(0, 20)

/**
 * An entry (or pyramid) signal for a trader that builds position groups: planned as a pyramid of
 * DCA legs on the open group of its symbol and timeframe, or a new group, then its base leg sent
 * at once (the worker sends the DCA legs once it has filled). A pyramid with no open group to add
 * to is refused. Run again for the same signal, it finds its pyramid and only carries on placing.
 */
export async function enterGroup(s: GroupSignal & { intent: 'entry' | 'pyramid'; side: PositionSide; reference: Decimal; settings: GroupSettings; base: Record<string, unknown> }): Promise<SignalOutcome> {
  const exchange = s.exchange ?? exchangeForAccount(s.db, s.account)
  const timeframe = timeframeOf(s.fields)
  if (s.intent === 'pyramid') {
    const open = await s.db.positionGroup.findFirst({ where: { traderId: s.traderId, symbol: s.symbol, timeframe, status: 'OPEN' }, select: { id: true } })
    const mine = await s.db.groupPyramid.findUnique({ where: { signalId: s.signalId }, select: { id: true } })
    if (!open && !mine) throw conflict(`no open ${s.symbol} group${timeframe ? ` (${timeframe})` : ''} to add a pyramid to: send entry to start one`)
  }
  const planned = await planGroupEntry({
    db: s.db, traderId: s.traderId, userId: s.userId, signalId: s.signalId, symbol: s.symbol, side: s.side, timeframe,
    reference: s.reference, stopLoss: s.fields.stop_loss ? dec(s.fields.stop_loss) : undefined, settings: s.settings, exchange,
  })
  if ('queued' in planned) return queuedOutcome(planned.queued, s.base, s.side)
  await placeGroupLegs({ db: s.db, groupId: planned.groupId, actor: s.actor, exchange })
  const legs = await s.db.groupLeg.findMany({
    where: { pyramidId: planned.pyramidId },
    orderBy: { index: 'asc' },
    select: { index: true, status: true, reason: true, price: true, qty: true, position: { select: { id: true, status: true, openQty: true, avgEntryPrice: true } } },
  })
  const baseLeg = legs[0]!
  const result = {
    ...s.base,
    side: s.side,
    group: {
      groupId: planned.groupId,
      newGroup: planned.newGroup,
      pyramid: planned.pyramidIndex + 1,
      legs: legs.map((l) => ({ leg: l.index + 1, status: l.status, price: fromDb(l.price).toFixed(), qty: fromDb(l.qty).toFixed(), positionId: l.position?.id ?? null })),
    },
    // The base leg, in the shape of a plain entry's `opened` (the signal log reads both alike).
    ...(baseLeg.position ? { opened: { positionId: baseLeg.position.id, side: s.side, qty: fromDb(baseLeg.qty).toFixed(), status: baseLeg.position.status, openQty: fromDb(baseLeg.position.openQty).toFixed(), avgEntryPrice: fromDb(baseLeg.position.avgEntryPrice).toFixed() } } : {}),
  }
  if (baseLeg.status === 'FAILED') return { status: 'REJECTED', reason: `the pyramid's first leg was refused: ${baseLeg.reason ?? 'no reason given'}`, result, positionId: null }
  const what = planned.newGroup ? 'new group' : `pyramid ${planned.pyramidIndex + 1} of the group`
  return { status: 'DONE', reason: planned.created ? null : `${what} already planned by an earlier attempt`, result, positionId: baseLeg.position?.id ?? null }
}

function queuedOutcome(q: QueuedInPool, base: Record<string, unknown>, side: PositionSide): SignalOutcome {
  const others = q.waiting > 1 ? `, ${q.waiting - 1} other entr${q.waiting === 2 ? 'y' : 'ies'} waiting` : ''
  const replaced = q.replacedSignalId ? `; it replaces signal ${q.replacedSignalId}, which waited for the same pair` : ''
  return {
    status: 'WAITING',
    reason: `the group pool has no slot for it (${q.used} of ${q.cap} in use${others}): it waits in the pool's queue and runs when a slot frees and it ranks first${replaced}`,
    result: { ...base, side, queued: { entryId: q.entryId, slotsUsed: q.used, slots: q.cap, waiting: q.waiting, replacedSignalId: q.replacedSignalId } },
    positionId: null,
  }
}

/**
 * A close or exit signal when the trader builds groups: its open groups on the symbol (of the
 * signal's timeframe when it names one) are closed whole, or, with a size, the one group is
 * reduced by it first in, first out by leg. Null when it has none, so the caller closes a plain
 * position instead.
 */
export async function closeGroupsForSignal(s: GroupSignal & { base: Record<string, unknown>; qty: string | undefined; exchangeFor?: (a: AccountRef) => ExchangePort; exitOrder: () => Promise<string> }): Promise<SignalOutcome | null> {
  const timeframe = timeframeOf(s.fields)
  const pair = { traderId: s.traderId, symbol: s.symbol, ...(timeframe ? { timeframe } : {}) }
  // An entry for the pair still waiting for a pool slot is dropped: the trade it was for is over.
  const dropped = (await s.db.poolQueueEntry.count({ where: { ...pair, status: 'WAITING' } }))
    ? await s.db.$transaction((tx) => removeWaiting(tx, { userId: s.userId, where: pair, why: `exit signal ${s.signalId} for ${s.symbol}` }))
    : 0
  const groups = await s.db.positionGroup.findMany({ where: { ...pair, status: 'OPEN' }, select: { id: true } })
  if (!groups.length) {
    return dropped ? { status: 'DONE', reason: `no open group to close; the entry waiting in the pool's queue for ${s.symbol} was removed`, result: { ...s.base, removedFromQueue: dropped } } : null
  }
  const exchange = s.exchange ?? exchangeForAccount(s.db, s.account)
  if (s.qty) {
    if (groups.length > 1) return { status: 'REJECTED', reason: `${groups.length} ${s.symbol} groups are open (one per interval): a partial exit must name the group's interval`, result: s.base }
    // First in, first out across the group's legs; the group stays open with the rest.
    const r = await exitGroupFifo({ db: s.db, userId: s.userId, groupId: groups[0]!.id, qty: dec(s.qty), actor: s.actor, reason: `Signal ${s.signalId} (partial ${String(s.base.intent)})`, exchange, exchangeFor: s.exchangeFor, clientOrderIdBase: await s.exitOrder() })
    const result = { ...s.base, reducedGroup: { groupId: groups[0]!.id, qty: s.qty, exits: r.exits, ...(r.unfilled.gt(0) ? { unfilled: r.unfilled.toFixed() } : {}) } }
    if (!r.refused.length) return { status: 'DONE', reason: null, result }
    const why = `the exchange refused ${r.unfilled.toFixed()} of the ${s.qty} ${s.symbol} to exit (${r.refused.join('; ')})`
    return { status: r.exits.length ? 'DONE' : 'REJECTED', reason: why, result }
  }
  const closed = []
  for (const g of groups) {
    const r = await closeGroup({ db: s.db, userId: s.userId, groupId: g.id, actor: s.actor, reason: `Signal ${s.signalId} (${String(s.base.intent)})`, exchange, exchangeFor: s.exchangeFor })
    closed.push({ groupId: g.id, status: r.status })
  }
  return { status: 'DONE', reason: null, result: { ...s.base, closedGroups: closed, ...(dropped ? { removedFromQueue: dropped } : {}) } }
}

import type { Db } from '@/lib/db/client'
import { ownVerdict } from '@/lib/server/orders/own-verdict'
import { fromDb, fromDbOrNull, toDb } from '@/lib/db/decimal-columns'
import type { Decimal } from '@/lib/domain/decimal'
import { checkOrderSize, truncateQtyToStep } from '@/lib/domain/market/precision'
import { exitSideFor } from '@/lib/domain/positions/fill-ledger'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import type { ExchangePort, OrderReport } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { recordActivity } from '@/lib/server/activity/record-activity'
import { exchangeForAccount, type AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { applyOrderReportIn } from '@/lib/server/orders/apply-order-report'
import { newClientOrderId } from '@/lib/server/orders/client-order-id'
import { lockPosition } from '@/lib/server/positions/lock-position'
import { requestExit } from '@/lib/server/positions/request-exit'
import { pairedTargetFor, sendPair, type PairedTarget } from './paired-target'
import { EXIT_ORDER, RESTING_STOP_TYPE, WORKING_PROTECTION, WORKING_STATUSES } from './resting-stop'
import { takeStopsOff } from './take-stops-off'

export interface KeepProtectedOptions {
  db: Db
  positionId: string
  actor: ActorRef
  /** The exchange per account; by default the account's own. */
  exchangeFor?: (account: AccountRef) => ExchangePort
}

export type ProtectionOutcome =
  /** The account's venue holds no stops (the worker watches the stop instead). */
  | 'not-native'
  /** The right stop rests on the exchange (or nothing should). */
  | 'in-place'
  /** A stop was placed (after taking off any that no longer fit). */
  | 'placed'
  /** The placement's outcome is unknown: reconciliation looks it up by client order id. */
  | 'unknown'
  /** The exchange refused the stop: the position was sent out at market. */
  | 'refused'
  /** Not sent this time (back-off, connection): the next pass tries again. */
  | 'deferred'
  /**
   * The exchange refused the stop because the account does not hold the quantity (sold or moved
   * outside Tradeloop, or held by an order we do not know): no exit at market, which could not
   * sell it either; said once as an error, and tried again only after SHORT_OF_BALANCE_RETRY_MS.
   */
  | 'unbacked'
  /**
   * The holding is below what the exchange takes as an order (its minimum quantity or order value):
   * no stop is sent, and no exit at market, which it would refuse alike on every pass. Said once.
   */
  | 'too-small'

/** The exchanges' words for "the account does not hold that much" (Binance -2010, Coinbase INSUFFICIENT_FUND). */
const SHORT_OF_BALANCE = /insufficient[ _]?(balance|fund)/i
/** After a stop refused for want of balance, the pause before the next try (not every pass of the keeper). */
export const SHORT_OF_BALANCE_RETRY_MS = 5 * 60_000

/** Cancels and re-decisions in one call; a position that keeps changing is picked up by the next pass. */
const MAX_ROUNDS = 3

/**
 * Makes what rests on the exchange match what the position says, for venues with a native stop:
 * while a position is OPEN or MONITORING with no exit under way, exactly one stop for its whole
 * open quantity at its stop price (on venues with OCO, paired with the position's last
 * take-profit when that one sells all that remains; see pairedTargetFor); otherwise none. Entry fills (partial ones too), a moved stop,
 * a take-profit that sold part of the position: each changes what should rest, and the next call
 * replaces the stop (the old one comes off first, since it holds the quantity). Safe to call at
 * any time, as often as wanted, from anywhere: every decision is taken under the position's lock
 * and a stop is only sent under that lock, after checking that no exit has asked for it to come off.
 */
export async function keepProtected(o: KeepProtectedOptions): Promise<ProtectionOutcome> {
  const exchangeFor = o.exchangeFor ?? ((a: AccountRef) => exchangeForAccount(o.db, a))
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const plan = await decide(o.db, o.positionId, o.actor, exchangeFor)
    if (!plan) return 'not-native'
    if (plan.off.length) {
      await takeStopsOff(o.db, plan.exchange, plan.off, o.actor, plan.wanted ? 'replaced by a stop that fits the position' : 'no longer needed')
      continue
    }
    if (plan.unbacked) return 'unbacked'
    if (plan.tooSmall) {
      await tellTooSmallOnce(o.db, o.positionId, plan.tooSmall)
      return 'too-small'
    }
    if (!plan.place) return 'in-place'
    const outcome = await send(o, plan.exchange, plan.place)
    // The next round places the stop alone (the refused pair is not tried again).
    if (outcome !== 'pair-refused') return outcome
  }
  return 'deferred'
}

interface Plan {
  exchange: ExchangePort
  /** Working stops (and paired targets) that do not fit, marked to come off. */
  off: { id: string; clientOrderId: string; status: (typeof WORKING_STATUSES)[number] }[]
  /** Whether the position should be protected at all. */
  wanted: boolean
  /** No stop rests, and the last one was refused for want of balance a moment ago: not yet again. */
  unbacked?: boolean
  /** Why the exchange would refuse a stop for the whole holding (below its minimums). */
  tooSmall?: string[]
  /** A NEW stop order just committed, to send (in place of `replacing`, atomically, when set). */
  place: Placement | null
}

interface Placement {
  id: string
  positionId: string
  replacing?: { id: string; clientOrderId: string }
  /** The target leg sent with the stop as one pair. */
  targetId?: string
}

async function decide(db: Db, positionId: string, actor: ActorRef, exchangeFor: (a: AccountRef) => ExchangePort): Promise<Plan | null> {
  return db.$transaction(async (tx) => {
    const p = await lockPosition(tx, positionId)
    if (!p) return null
    const exchange = exchangeFor(p.account)
    if (!exchange.capabilities?.nativeStop) return null
    const working = await tx.order.findMany({ where: { positionId, ...WORKING_PROTECTION }, orderBy: { createdAt: 'asc' } })
    const exiting = await tx.order.findFirst({ where: { positionId, ...EXIT_ORDER, status: { in: WORKING_STATUSES } }, select: { id: true } })
    // What can be sold: a fee taken in the coin can leave the holding off the step grid.
    const rules = await exchange.marketRules(p.symbol)
    const open = truncateQtyToStep(fromDb(p.openQty), rules.stepSize)
    const stop = fromDbOrNull(p.stopLoss)
    const protect = (p.status === 'OPEN' || p.status === 'MONITORING') && !exiting && open.gt(0) && stop
    // A holding the exchange would not take as an order (the first small fill of a limit entry,
    // say): a stop for it, and the market exit a refused stop brings, would be refused on every pass.
    const tooSmall = protect ? checkOrderSize(rules, open, stop) : []
    const want: { qty: Decimal; trigger: Decimal } | null = protect && !tooSmall.length ? { qty: open, trigger: stop } : null
    const target: PairedTarget | null = want && exchange.capabilities?.oco && exchange.placeOco ? await pairedTargetFor(tx, positionId) : null
    type Working = (typeof working)[number]
    const rests = (w: Working) => want !== null && !w.cancelRequestedAt && fromDb(w.qty).minus(fromDb(w.filledQty)).eq(want.qty)
    const stopFits = (w: Working) => rests(w) && w.type === RESTING_STOP_TYPE && fromDbOrNull(w.triggerPrice)?.eq(want!.trigger) === true && (w.listClientOrderId !== null) === (target !== null)
    const targetFits = (w: Working, list: string | null) =>
      target !== null && rests(w) && w.listClientOrderId === list && w.takeProfitId === target.takeProfitId && fromDbOrNull(w.price)?.eq(target.price) === true
    const resting = working.find(stopFits)
    const pairedWith = resting && target ? working.find((w) => targetFits(w, resting.listClientOrderId)) : undefined
    const keep = resting && (!target || pairedWith) ? [resting, ...(pairedWith ? [pairedWith] : [])] : []
    const off = working.filter((w) => !keep.includes(w))
    // One confirmed stop that no longer fits, on a venue that can swap it in one request: replace
    // it atomically instead of leaving the quantity uncovered between a cancel and a new order.
    // (A pair is canceled and placed anew: an order list cannot be replaced in one request.)
    const [only] = off
    const atomic =
      want && !target && !keep.length && off.length === 1 && only!.status === 'SUBMITTED' && !only!.cancelRequestedAt && only!.listClientOrderId === null && exchange.capabilities?.cancelReplace && exchange.replaceOrder
    if (off.length && !atomic) {
      await tx.order.updateMany({ where: { id: { in: off.map((w) => w.id) }, cancelRequestedAt: null }, data: { cancelRequestedAt: new Date() } })
      return { exchange, off: off.map((w) => ({ id: w.id, clientOrderId: w.clientOrderId, status: w.status })), wanted: want !== null, place: null }
    }
    if (tooSmall.length) return { exchange, off: [], wanted: false, place: null, tooSmall }
    if (!want || keep.length) return { exchange, off: [], wanted: want !== null, place: null }
    const last = await tx.order.findFirst({ where: { positionId, purpose: 'STOP_LOSS', type: RESTING_STOP_TYPE }, orderBy: { createdAt: 'desc' }, select: { status: true, rejectReason: true, createdAt: true } })
    if (last?.status === 'REJECTED' && SHORT_OF_BALANCE.test(last.rejectReason ?? '') && Date.now() - last.createdAt.getTime() < SHORT_OF_BALANCE_RETRY_MS) {
      return { exchange, off: [], wanted: true, place: null, unbacked: true }
    }
    if (atomic) await tx.order.update({ where: { id: only!.id }, data: { cancelRequestedAt: new Date() } })
    const leg = {
      accountId: p.accountId,
      traderId: p.traderId,
      positionId,
      symbol: p.symbol,
      side: exitSideFor(p.side),
      qty: toDb(want.qty),
      reduceOnly: true,
      status: 'NEW' as const,
      createdBy: actor.kind,
      listClientOrderId: target ? newClientOrderId('ol') : null,
    }
    const order = await tx.order.create({
      data: { ...leg, clientOrderId: newClientOrderId('sp'), type: RESTING_STOP_TYPE, purpose: 'STOP_LOSS', triggerPrice: toDb(want.trigger), expectedPrice: toDb(want.trigger) },
      select: { id: true },
    })
    const paired = target
      ? await tx.order.create({
          data: { ...leg, clientOrderId: newClientOrderId('tt'), type: 'LIMIT', purpose: 'TAKE_PROFIT', price: toDb(target.price), expectedPrice: toDb(target.price), takeProfitId: target.takeProfitId },
          select: { id: true },
        })
      : null
    return {
      exchange,
      off: [],
      wanted: true,
      place: { id: order.id, positionId, replacing: atomic ? { id: only!.id, clientOrderId: only!.clientOrderId } : undefined, targetId: paired?.id },
    }
  })
}

/**
 * Sends a committed NEW stop while holding the position's lock, and books the answer in the same
 * transaction: an exit that wants the stop off waits for this, then finds it on the exchange
 * (or finds it marked and never sent). A crash after the send leaves it NEW for reconciliation.
 */
async function send(o: KeepProtectedOptions, exchange: ExchangePort, place: Placement): Promise<ProtectionOutcome | 'pair-refused'> {
  const r = await o.db.$transaction(
    async (tx) => {
      const p = await lockPosition(tx, place.positionId)
      const order = await tx.order.findUniqueOrThrow({ where: { id: place.id } })
      if (!p || order.status !== 'NEW') return { outcome: 'in-place' as const }
      const target = place.targetId ? await tx.order.findUniqueOrThrow({ where: { id: place.targetId } }) : null
      if (order.cancelRequestedAt || target?.cancelRequestedAt) {
        for (const leg of target ? [order, target] : [order]) await applyOrderReportIn(tx, leg.id, ownVerdict(leg, 'CANCELED', 'canceled before it was sent'), o.actor)
        return { outcome: 'in-place' as const }
      }
      if (target) {
        const sent = await sendPair(tx, exchange, order, target, o.actor)
        return sent.outcome === 'pair-refused' ? { ...sent, userId: p.trader.userId, traderId: p.traderId } : sent
      }
      let report: OrderReport
      try {
        const req = {
          clientOrderId: order.clientOrderId,
          symbol: order.symbol,
          side: order.side,
          type: RESTING_STOP_TYPE,
          qty: fromDb(order.qty),
          triggerPrice: fromDb(order.triggerPrice!),
          reduceOnly: true,
        }
        if (place.replacing && exchange.replaceOrder) {
          const both = await exchange.replaceOrder(place.replacing.clientOrderId, req)
          await applyOrderReportIn(tx, place.replacing.id, { ...both.canceled, rejectReason: both.canceled.status === 'CANCELED' ? 'replaced by a stop that fits the position' : both.canceled.rejectReason }, o.actor)
          report = both.placed
        } else {
          report = await exchange.placeOrder(req)
        }
      } catch (e) {
        if (!(e instanceof ExchangeError) || e.kind === 'unknown') {
          await tx.order.update({ where: { id: order.id }, data: { lastCheckedAt: new Date() } })
          return { outcome: 'unknown' as const, error: (e as Error).message }
        }
        // Definitely not executed: refused, or never sent (back-off, no connection).
        report = ownVerdict(order, 'REJECTED', e.kind === 'rejected' ? e.message : `not sent: ${e.message}`)
        await applyOrderReportIn(tx, order.id, report, o.actor)
        // A replacement refused because the old stop could not be canceled is not a refusal of the
        // stop: the old one (marked) is looked up and taken off on the next pass, then a stop placed.
        if (e.kind === 'rejected' && !place.replacing) return { outcome: 'refused' as const, reason: e.message, userId: p.trader.userId, traderId: p.traderId }
        return { outcome: 'deferred' as const }
      }
      await applyOrderReportIn(tx, order.id, report, o.actor)
      if (report.status === 'REJECTED') return { outcome: 'refused' as const, reason: report.rejectReason ?? 'no reason given', userId: p.trader.userId, traderId: p.traderId }
      return { outcome: 'placed' as const }
    },
    // The exchange answers inside this transaction; its own timeout ends the call first.
    { timeout: 60_000, maxWait: 10_000 },
  )
  const tell = (to: { userId: string; traderId: string }, type: 'PROTECTION_CHANGED' | 'PROTECTION_FAILED', severity: 'warning' | 'error', message: string) =>
    o.db.$transaction((tx) => recordActivity(tx, { userId: to.userId, traderId: to.traderId, positionId: place.positionId, type, severity, message }))
  if (r.outcome === 'pair-refused') {
    await tell(r, 'PROTECTION_CHANGED', 'warning', `The exchange refused the take-profit and stop as one pair (${r.reason}): the stop rests alone and the worker watches the target`)
    return 'pair-refused'
  }
  if (r.outcome !== 'refused') return r.outcome
  if (SHORT_OF_BALANCE.test(r.reason)) {
    await tell(
      r,
      'PROTECTION_FAILED',
      'error',
      `The exchange refused the protective stop because the account does not hold the position's quantity (${r.reason}): ` +
        `the position is NOT protected. The coins may have been sold or moved outside Tradeloop, or be held by another order; ` +
        `check the account on the exchange. Tradeloop tries the stop again every ${SHORT_OF_BALANCE_RETRY_MS / 60_000} minutes.`,
    )
    return 'unbacked'
  }
  // Never leave a filled position naked: exit at market and say so loudly.
  await tell(r, 'PROTECTION_FAILED', 'error', `The exchange refused the protective stop (${r.reason}): closing the position at market`)
  await requestExit({
    db: o.db,
    positionId: place.positionId,
    actor: o.actor,
    purpose: 'STOP_LOSS',
    size: { kind: 'ALL' },
    exchange,
    reason: `Protective stop refused by the exchange (${r.reason})`,
  })
  return 'refused'
}

/** Says, once for each reason, that a holding is too small to rest a stop for (the keeper looks every few seconds). */
async function tellTooSmallOnce(db: Db, positionId: string, problems: string[]): Promise<void> {
  const p = await db.position.findUnique({ where: { id: positionId }, select: { traderId: true, trader: { select: { userId: true } } } })
  if (!p) return
  const message = `No stop rests on the exchange for this position: it holds less than the exchange takes as an order (${problems.join('; ')}). It is not protected until it holds more (a limit entry still filling). The exchange would refuse a sale at market too: closing it sends nothing and leaves the coins in the account as dust.`
  if (await db.activityEvent.findFirst({ where: { positionId, type: 'PROTECTION_FAILED', message }, select: { id: true } })) return
  await db.$transaction((tx) => recordActivity(tx, { userId: p.trader.userId, traderId: p.traderId, positionId, type: 'PROTECTION_FAILED', severity: 'warning', message }))
}

/** Positions the keeper should look at (of the accounts `owns` accepts): live ones that may need a stop, and any with a stop working. */
export async function positionsToProtect(db: Db, owns: (accountId: string) => boolean = () => true): Promise<string[]> {
  const rows = await db.position.findMany({
    where: {
      OR: [{ status: { in: ['OPEN', 'MONITORING'] }, account: { kind: 'CCXT' } }, { orders: { some: WORKING_PROTECTION } }],
    },
    select: { id: true, accountId: true },
  })
  return rows.filter((r) => owns(r.accountId)).map((r) => r.id)
}

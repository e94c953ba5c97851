import { poolOf, type Db } from '@/lib/db/client'
import { withSqlTransaction } from '@/lib/db/sql-tx'
import { fromDb, toDb } from '@/lib/db/decimal-columns'
import { ZERO, type Decimal } from '@/lib/domain/decimal'
import { checkOrderSize, type MarketRules, truncateQtyToStep } from '@/lib/domain/market/precision'
import { exitSideFor } from '@/lib/domain/positions/fill-ledger'
import { lastLevelTakesRest } from '@/lib/domain/positions/take-profit-split'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { conflict, notFound, validationError } from '@/lib/server/errors/app-error'
import { type AccountRef, exchangeForAccount } from '@/lib/server/exchange/exchange-for-account'
import { newClientOrderId } from '@/lib/server/orders/client-order-id'
import { newOrder } from '@/lib/server/orders/new-order'
import { ownVerdict } from '@/lib/server/orders/own-verdict'
import { submitOrder, submitOrderWithin } from '@/lib/server/orders/submit-order'
import { recordPositionEvent, withBatchedAudit } from '@/lib/server/audit/record-position-event'
import { applyOrderReport, applyOrderReportIn } from '@/lib/server/orders/apply-order-report'
import { EXIT_ORDER_SQL, WORKING_PROTECTION_SQL, WORKING_STATUSES } from '@/lib/server/protection/resting-stop'
import { takeStopsOff, type StopToCancel } from '@/lib/server/protection/take-stops-off'
import { lockPosition } from './lock-position'
import { freshMarket } from './market-context'
import { cancelWorkingEntry } from './cancel-entry'
import { closeAsDust, unsellable } from './close-as-dust'
import { movePosition } from './transition'

export type ExitSize =
  | { kind: 'ALL' }
  | { kind: 'SHARE'; pct: Decimal }
  | { kind: 'TAKE_PROFIT'; takeProfitId: string }
  /** An exact quantity (a retry of an exit that did not go through); capped at what is open. */
  | { kind: 'QTY'; qty: Decimal }

export interface RequestExitOptions {
  db: Db
  positionId: string
  size: ExitSize
  purpose: 'MANUAL_EXIT' | 'STOP_LOSS' | 'TAKE_PROFIT'
  actor: ActorRef
  reason: string
  /** Restricts to this user's positions (web/API); the worker passes none. */
  userId?: string
  /** Panic: exit on the last known quote even when it is stale (getting flat beats waiting for a price). */
  allowStaleMarket?: boolean
  /** The exchange to send the order to; by default the account's own (see exchangeForAccount). */
  exchange?: ExchangePort
  /**
   * The id of an exit order that did not go through and that this request repeats. Checked under
   * the position's lock: if any exit order came after it, someone already acted and this returns
   * null, so two retries (or a retry and a trigger) never send two exits.
   */
  retryOf?: string
  /** Chooses the exchange per account when `exchange` is not given (the worker's wiring). */
  exchangeFor?: (account: AccountRef) => ExchangePort
  /**
   * The exit order's client id, chosen and recorded by the caller before it asks (a signal notes
   * it on itself). If an order with it exists, an earlier attempt got this far (and was stopped
   * before it could say so): this returns null and sends nothing again.
   */
  clientOrderId?: string
  /** For a close with an Idempotency-Key: its body's digest, recorded on the exit order (see requestHash). */
  requestHash?: string
  /**
   * Panic: an exchange that keeps its books in our database (paper) fills the exit inside the
   * transaction that creates it, one transaction instead of two; the exit is then persisted and
   * filled at the same moment. Any other exchange is sent the order after the commit, as always.
   */
  placeInTransaction?: boolean
}

/**
 * The exit order written, and the exchange's refusal when it refused it (the order is REJECTED, the
 * position open again); or, for a holding no order could sell, why the position was closed as dust
 * with none sent (see closeAsDust).
 */
export type ExitRequested = { orderId: string; refused?: ExchangeError | null } | { dust: string }

/**
 * Reduces a position with a reduce-only market order: the one path for manual closes,
 * stop losses and take-profits. Returns null when there is nothing to do (already closing
 * or closed — a trigger that fires twice must not exit twice).
 */
export async function requestExit(o: RequestExitOptions): Promise<ExitRequested | null> {
  const { db, actor } = o
  // In SQL on the pool's connection (see openPosition): stops, take-profits and panic exit here.
  const prepared = await withSqlTransaction(poolOf(db), (tx) => withBatchedAudit(tx, async () => {
    const p = await lockPosition(tx, o.positionId)
    if (!p || (o.userId && p.trader.userId !== o.userId)) throw notFound('position')
    if (o.clientOrderId && (await tx.$queryRaw<unknown[]>`SELECT 1 FROM "Order" WHERE "clientOrderId" = ${o.clientOrderId}`).length) return null
    if (p.status !== 'OPEN' && p.status !== 'MONITORING') {
      if (o.purpose !== 'MANUAL_EXIT' || o.retryOf) return null
      throw conflict(`position is ${p.status.toLowerCase()}: only an open position can be closed`)
    }
    if (o.retryOf) {
      const [latest] = await tx.$queryRaw<{ id: string; status: string }[]>`
        SELECT id, status::text AS status FROM "Order" WHERE "positionId" = ${p.id} AND ${EXIT_ORDER_SQL} ORDER BY "createdAt" DESC, id DESC LIMIT 1`
      if (latest?.id !== o.retryOf || latest.status !== 'REJECTED') return null
    }
    const [pending] = await tx.$queryRaw<{ clientOrderId: string }[]>`
      SELECT "clientOrderId" FROM "Order" WHERE "positionId" = ${p.id} AND ${EXIT_ORDER_SQL} AND status::text = ANY(${WORKING_STATUSES}::text[]) LIMIT 1`
    if (pending) {
      if (o.purpose !== 'MANUAL_EXIT' || o.retryOf) return null
      throw conflict(`an exit order (${pending.clientOrderId}) is already in progress`)
    }
    const { rules, quote } = await freshMarket(tx, p.symbol, { allowStale: o.allowStaleMarket })
    const openQty = fromDb(p.openQty)
    let qty = openQty
    let takeProfitId: string | null = null
    /** What earlier exits for the take-profit level sold (one that part-filled, then ended). */
    let soldForLevel = ZERO
    let levelPrice = ''
    if (o.size.kind === 'SHARE' && o.size.pct.lt(100)) {
      qty = truncateQtyToStep(openQty.mul(o.size.pct).div(100), rules.stepSize)
      if (qty.isZero()) throw validationError([{ field: 'sharePct', message: `${o.size.pct.toFixed()}% of ${openQty.toFixed()} rounds to zero at step ${rules.stepSize.toFixed()}` }])
    } else if (o.size.kind === 'QTY') {
      qty = truncateQtyToStep(o.size.qty, rules.stepSize)
    } else if (o.size.kind === 'TAKE_PROFIT') {
      type Level = { id: string; status: 'ACTIVE' | 'FILLED' | 'CANCELED'; price: string; sharePct: string }
      const all = await tx.$queryRaw<Level[]>`
        SELECT id, status::text AS status, price::text AS price, "sharePct"::text AS "sharePct" FROM "TakeProfit" WHERE "positionId" = ${p.id} AND status <> 'CANCELED'`
      const wanted = o.size.takeProfitId
      const tp = all.find((t) => t.id === wanted)
      if (!tp || tp.status !== 'ACTIVE') return null
      takeProfitId = tp.id
      levelPrice = tp.price
      // The last level of a plan that adds up to 100% takes whatever remains, so no dust is left.
      const takesRest = lastLevelTakesRest(all.map((t) => ({ status: t.status, sharePct: fromDb(t.sharePct) })))
      const [{ sold }] = await tx.$queryRaw<{ sold: string }[]>`SELECT COALESCE(SUM("filledQty"), 0)::text AS sold FROM "Order" WHERE "takeProfitId" = ${tp.id}`
      soldForLevel = fromDb(sold)
      // Only what the level has not sold yet is due.
      qty = takesRest ? openQty : truncateQtyToStep(fromDb(p.entryQty).mul(fromDb(tp.sharePct)).div(100).minus(soldForLevel), rules.stepSize)
      if (qty.lt(0)) qty = ZERO
    }
    if (qty.gt(openQty)) qty = openQty
    const side = exitSideFor(p.side)
    const exitPrice = side === 'SELL' ? quote.bid : quote.ask
    // Leaving less than the exchange takes as an order (its minimum quantity or order value) would
    // strand a remainder no stop could protect and no exit could sell.
    const rest = openQty.minus(qty)
    if (rest.lt(rules.minQty) || rest.mul(exitPrice).lt(rules.minNotional)) qty = openQty
    const closes = qty.eq(openQty)
    // A fee taken in the coin can leave the holding off the step grid: sell what the grid allows.
    qty = truncateQtyToStep(qty, rules.stepSize)
    if (takeProfitId) {
      const problems = qty.isZero() ? [`it rounds to zero at step ${rules.stepSize.toFixed()}`] : checkOrderSize(rules, qty, exitPrice)
      // Sent anyway, it would be refused on every tick that reaches the level: the level ends
      // (filled, when an earlier exit sold part of it), and the stop and other levels stay.
      if (problems.length) {
        const done = soldForLevel.gt(0)
        await tx.$executeRaw`UPDATE "TakeProfit" SET status = ${done ? 'FILLED' : 'CANCELED'}::"TakeProfitStatus", "filledAt" = ${done ? new Date() : null}::timestamp(3) WHERE id = ${takeProfitId}`
        await recordPositionEvent(tx, {
          positionId: p.id,
          userId: p.trader.userId,
          type: 'TP_CHANGED',
          actor,
          message: `Take-profit at ${fromDb(levelPrice).toFixed()} ${done ? `ended after selling ${soldForLevel.toFixed()}: the rest` : 'canceled: its quantity'} cannot be sold on its own (${problems.join('; ')})`,
        })
        return null
      }
    }
    // An exit that closes the position takes its limit entry off first if it still rests
    // (partly filled): left working, it would fill later into a closed position.
    const [entry] = closes && p.entryType === 'LIMIT'
      ? await tx.$queryRaw<{ id: string; clientOrderId: string }[]>`
          SELECT id, "clientOrderId" FROM "Order" WHERE "positionId" = ${p.id} AND purpose = 'ENTRY' AND status IN ('SUBMITTED', 'PARTIALLY_FILLED') LIMIT 1`
      : []
    // A holding the exchange would not take as an order closes as dust, once nothing of the
    // position still works on the exchange (an entry that may fill further, a stop that holds the
    // coins): then the exit order is written, and fitExitToPosition decides once they are off.
    const holds = openQty.gt(0)
    const problems = closes && holds && !entry ? unsellable(rules, qty, exitPrice) : []
    const now = new Date()
    // Its expected price is the side of the quote at decision time (also for a triggered stop:
    // what the market offered when the exit was decided, not the level that fired).
    const exitOrder = (q: Decimal) => newOrder({
      accountId: p.accountId, traderId: p.traderId, positionId: p.id, clientOrderId: o.clientOrderId ?? newClientOrderId(o.purpose === 'STOP_LOSS' ? 'sl' : o.purpose === 'TAKE_PROFIT' ? 'tp' : 'x'),
      symbol: p.symbol, side, type: 'MARKET', purpose: o.purpose, qty: toDb(q), price: null, expectedPrice: toDb(exitPrice), reduceOnly: true,
      takeProfitId, requestHash: o.requestHash, createdBy: actor.kind, at: now,
    })
    if (problems.length && !(await tx.$queryRaw<unknown[]>`SELECT 1 FROM "Order" WHERE "positionId" = ${p.id} AND ${WORKING_PROTECTION_SQL} LIMIT 1`).length) {
      const position = { id: p.id, status: p.status, userId: p.trader.userId }
      const dust = await closeAsDust(tx, position, { held: openQty, asset: rules.base, problems, reason: o.reason, actor })
      // A keyed close keeps its key: the exit it did not send is recorded as such (as when the
      // holding turns out too small once a stop is off), so that a repeat replays this close.
      if (o.clientOrderId) {
        const { insert, order, created } = exitOrder(openQty)
        await tx.$executeRaw(insert)
        await applyOrderReportIn(tx, order.id, ownVerdict(order, 'CANCELED', `not sent: ${dust}`), actor, {
          held: { order: created, position: { id: p.id, status: 'CLOSED', side: p.side, symbol: p.symbol, userId: p.trader.userId } },
        })
      }
      return { dust }
    }
    if (qty.isZero() && !(closes && holds)) return null

    const { insert, order, created } = exitOrder(qty)
    await tx.$executeRaw(insert)
    const closing = await movePosition(tx, { id: p.id, status: p.status, userId: p.trader.userId }, 'EXIT_REQUESTED', actor, `${o.reason}: exit order ${order.clientOrderId} for ${qty.toFixed()} of ${openQty.toFixed()}`)
    const exchange = o.exchange ?? o.exchangeFor?.(p.account) ?? exchangeForAccount(db, p.account, { allowStaleMarket: o.allowStaleMarket })
    // A stop resting on the exchange (and a target paired with it) holds the quantity there: it comes off before the exit goes
    // out. Marked under this lock, so the protection keeper can no longer send one that it has
    // not sent yet; the position is CLOSING, so it places no new one until the exit has ended.
    const stops = exchange.capabilities?.nativeStop
      ? await tx.$queryRaw<StopToCancel[]>`SELECT id, "clientOrderId", status::text AS status FROM "Order" WHERE "positionId" = ${p.id} AND ${WORKING_PROTECTION_SQL}`
      : []
    if (stops.length) {
      await tx.$executeRaw`UPDATE "Order" SET "cancelRequestedAt" = ${now}::timestamp(3), "updatedAt" = ${now}::timestamp(3) WHERE id = ANY(${stops.map((s) => s.id)}::text[]) AND "cancelRequestedAt" IS NULL`
    }
    // The position is locked in this transaction and the order created in it: the report is applied to them as they are.
    const held = { order: created, position: { id: p.id, status: closing, side: p.side, symbol: p.symbol, userId: p.trader.userId } }
    const placed = o.placeInTransaction && !stops.length && !entry ? await submitOrderWithin(tx, exchange, order, actor, held) : false
    return { order, orderId: order.id, clientOrderId: order.clientOrderId, exchange, stops, entry, closes, rules, exitPrice, reason: o.reason, placed }
  }))
  if (!prepared) return null
  if ('dust' in prepared) return prepared
  const { order, orderId, exchange, stops, entry, placed } = prepared
  if (placed) return { orderId, refused: placed.refused }
  if (stops.length) {
    try {
      await takeStopsOff(db, exchange, stops, actor, 'taken off the exchange for an exit')
    } catch (e) {
      await db.$transaction(async (tx) => {
        await applyOrderReportIn(tx, orderId, ownVerdict(prepared, 'REJECTED', `not sent: the resting stop could not be taken off the exchange first (${(e as Error).message})`), actor)
        // The exchange told us to back off (429/418, or our back-off refused to send): the cancel
        // was not acted on, so the stops it holds keep protecting the position, rather than being
        // canceled and placed anew by the keeper (more new orders under a rate limit, and a moment
        // with no stop). After any other failure (a 5xx may have canceled) they stay marked, and
        // the keeper settles them first.
        if (e instanceof ExchangeError && e.kind === 'retryable' && e.retryAfterMs !== undefined) {
          await tx.order.updateMany({ where: { id: { in: stops.map((s) => s.id) }, status: { in: ['SUBMITTED', 'PARTIALLY_FILLED'] } }, data: { cancelRequestedAt: null } })
        }
      })
      throw e
    }
  }
  if (entry) {
    // The exit goes out whether or not the cancel does: getting out comes first. An entry still
    // working is canceled by the worker's sweep of closed positions' entries (cancelLeftoverEntries).
    await cancelWorkingEntry(db, exchange, entry, 'canceled: its position was being closed', actor).catch(() => undefined)
  }
  if (stops.length || entry) {
    // The stop may have executed before it came off, the entry filled further before it did:
    // send what is open now, if anything.
    const fitted = await fitExitToPosition(db, orderId, actor, prepared)
    if (fitted !== 'send') return fitted === 'none' ? { orderId } : fitted
    // (it may have been resized: read back)
    return { orderId, refused: await submitOrder(db, exchange, orderId, actor) }
  }
  // Just created and not changed since: no need to read it back.
  return { orderId, refused: await submitOrder(db, exchange, order, actor) }
}

/**
 * Under the position's lock, fits a NEW (never sent) exit order to what is still open (on the
 * step grid): shrinks it, or for an exit meant to close the position (`closes`) resizes it to
 * all that is open; cancels it when nothing is, or when what is open is more than nothing but
 * less than the exchange takes as an order (the position then closes as dust). Says whether
 * there is still something to send.
 */
async function fitExitToPosition(
  db: Db,
  orderId: string,
  actor: ActorRef,
  fit: { closes: boolean; rules: MarketRules; exitPrice: Decimal; reason: string },
): Promise<'send' | 'none' | { dust: string }> {
  return db.$transaction(async (tx) => {
    const order = await tx.order.findUniqueOrThrow({ where: { id: orderId }, select: { positionId: true, clientOrderId: true, qty: true, filledQty: true, status: true } })
    const p = await lockPosition(tx, order.positionId!)
    if (!p || order.status !== 'NEW') return 'none'
    const held = fromDb(p.openQty)
    if (p.status === 'CLOSED' || held.isZero()) {
      await applyOrderReportIn(tx, orderId, ownVerdict(order, 'CANCELED', 'not sent: the position was closed on the exchange first (its stop executed)'), actor)
      return 'none'
    }
    const open = truncateQtyToStep(held, fit.rules.stepSize)
    const problems = fit.closes || open.isZero() ? unsellable(fit.rules, open, fit.exitPrice) : []
    if (problems.length) {
      // Closed first, so that the canceled exit does not send the position back to monitoring.
      const position = { id: p.id, status: p.status, userId: p.trader.userId }
      const dust = await closeAsDust(tx, position, { held, asset: fit.rules.base, problems, reason: fit.reason, actor })
      await applyOrderReportIn(tx, orderId, ownVerdict(order, 'CANCELED', `not sent: ${dust}`), actor)
      return { dust }
    }
    const qty = fit.closes || fromDb(order.qty).gt(open) ? open : fromDb(order.qty)
    if (!qty.eq(fromDb(order.qty))) await tx.order.update({ where: { id: orderId }, data: { qty: toDb(qty) } })
    return 'send'
  })
}

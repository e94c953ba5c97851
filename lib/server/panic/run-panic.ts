import { sqlOf, type Db } from '@/lib/db/client'
import type { OrderStatus } from '@/lib/domain/orders/order-lifecycle'
import type { PositionStatus } from '@/lib/domain/positions/position-lifecycle'
import { EXIT_ORDER_SQL } from '@/lib/server/protection/resting-stop'
import { env } from '@/lib/config/env'
import { fromDb } from '@/lib/db/decimal-columns'
import { isTerminalOrderStatus } from '@/lib/domain/orders/order-lifecycle'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import type { ExchangePort } from '@/lib/exchange/port'
import type { Prisma } from '@/lib/generated/prisma/client'
import { isStale, loadQuote, quoteAgeMs } from '@/lib/market-data/quote-store'
import { recordActivity } from '@/lib/server/activity/record-activity'
import type { ActorRef } from '@/lib/server/audit/actor'
import { recordPositionEvent, withBatchedAudit } from '@/lib/server/audit/record-position-event'
import { notFound } from '@/lib/server/errors/app-error'
import { ACCOUNT_REF, type AccountRef, exchangeForAccount } from '@/lib/server/exchange/exchange-for-account'
import { applyOrderReport } from '@/lib/server/orders/apply-order-report'
import { LOST, ownVerdict } from '@/lib/server/orders/own-verdict'
import { cancelEntry } from '@/lib/server/positions/cancel-entry'
import { requestExit } from '@/lib/server/positions/request-exit'
import { haltAccount, setTraderStatus } from '@/lib/server/trading/halt-trading'
import { ACTIVE_POSITION_STATUSES } from '@/lib/domain/positions/position-lifecycle'

export type PanicScope = { accountId: string } | { traderId: string }

export interface PanicOrderResult {
  clientOrderId: string
  positionId: string | null
  symbol: string
  outcome: 'CANCELED' | 'ALREADY_DONE' | 'FAILED'
  detail: string
}

export interface PanicPositionResult {
  positionId: string
  traderId: string
  symbol: string
  side: 'LONG' | 'SHORT'
  outcome: 'CLOSED' | 'ALREADY_CLOSED' | 'FAILED'
  /** Exit attempts this run made (0 when someone else had already closed it). */
  attempts: number
  /** Average exit price of the position, once closed. */
  exitPrice?: string
  realizedPnl?: string
  /** Set when the close went out on a stale quote (the market-data feed was failing): its age. */
  stalePriceAgeMs?: number
  detail: string
}

export interface PanicReport {
  panicRunId: string
  accountId: string
  /** Set for a per-trader panic. */
  traderId: string | null
  halted: true
  status: 'COMPLETED' | 'FAILED'
  orders: PanicOrderResult[]
  positions: PanicPositionResult[]
  startedAt: string
  durationMs: number
}

export interface RunPanicOptions {
  db: Db
  userId: string
  actor: ActorRef
  scope: PanicScope
  /** Tries per order cancel and per position close before it is reported FAILED (default 4). */
  maxAttempts?: number
  /** Wait before retry n (1-based); default 250 ms doubling to at most 2 s. */
  backoffMs?: (attempt: number) => number
  /** Who pressed it, as stored on the run and in the halt reason; default "<email> via <web app|API|…>". */
  requestedBy?: string
  /** Positions closed at the same time (default 4). */
  concurrency?: number
  /**
   * An order still NEW whose sender has not reported back may be on its way to the exchange right
   * now: it is given this long from its creation to arrive before it is treated as never sent
   * (default 16 s: an exchange adapter waits up to 5 s for an order slot and 10 s for an answer).
   */
  newOrderGraceMs?: number
  /**
   * How long a panic keeps waiting out an exchange's rate limit (429 with Retry-After) before it
   * reports what is still open as FAILED (default 120 s). Tries refused by a rate limit do not
   * count against maxAttempts.
   */
  throttleBudgetMs?: number
  /** The exchange of an account; default exchangeForAccount with stale quotes allowed. A test seam. */
  exchangeFor?: (account: AccountRef) => ExchangePort
}

const OPEN_ORDER = ['NEW', 'SUBMITTED', 'PARTIALLY_FILLED'] as const
// A position (or order) can appear while a round runs (an entry that was in flight when the
// halt committed); later rounds pick those up. Three rounds settle anything that can settle.
const ROUNDS = 3

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve())
// An exit the exchange does not know is declared lost no sooner than this after it was created.
const LOST_MIN_AGE_MS = 2000
const defaultBackoff = (attempt: number) => Math.min(250 * 2 ** (attempt - 1), 2000)
const message = (e: unknown) => (e instanceof Error ? e.message : String(e))

/** Who pressed panic, in words, for the halt reason and the activity feed. */
export function describeRequester(email: string, actor: ActorRef): string {
  const via = actor.kind === 'API' ? 'the API' : actor.kind === 'USER' ? 'the web app' : `the ${actor.kind.toLowerCase()}`
  return `${email} via ${via}`
}

/** Runs `fn` over `items`, at most `n` at a time, the results in the items' order; `fn` must not throw. */
export async function inPool<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  const lane = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, lane))
  return out
}

/**
 * PANIC for one account or one trader: halts it first (committed, so nothing new opens while
 * this runs), cancels every open entry order, then closes every open position at market through
 * the ordinary exit path (requestExit: position lock, reduce-only order persisted before it is
 * sent), retrying what the exchange rejects, and reports per order and per position.
 *
 * Idempotent: a second run finds nothing open; runs that overlap meet on the position locks and
 * the exit order's client order id, so nothing is closed twice. It needs no AI provider, and a
 * stale market-data feed does not stop it (the paper exchange fills at the last known price, and
 * the report says so). The halt stays until a person lifts it (resumeAccount / setTraderStatus).
 */
export async function runPanic(opts: RunPanicOptions): Promise<PanicReport> {
  const { db, userId, actor } = opts
  const started = Date.now()
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 4)
  const backoff = opts.backoffMs ?? defaultBackoff
  const concurrency = opts.concurrency ?? 4
  const graceMs = opts.newOrderGraceMs ?? 16_000
  // NEW, its sender not yet back (a sender stamps lastCheckedAt after an unknown answer), and
  // young enough to be on its way.
  const inFlight = (o: { status: string; lastCheckedAt: Date | null; createdAt: Date }) => o.status === 'NEW' && o.lastCheckedAt === null && Date.now() < o.createdAt.getTime() + graceMs
  const throttleBudgetMs = opts.throttleBudgetMs ?? 120_000
  const staleAfterMs = env().MARKET_STALE_AFTER_MS
  const sql = sqlOf(db)

  // ---- scope -------------------------------------------------------------------------------
  let accountId: string
  let trader: { id: string; name: string } | null = null
  if ('traderId' in opts.scope) {
    const t = await db.trader.findFirst({ where: { id: opts.scope.traderId, userId }, select: { id: true, name: true, accountId: true } })
    if (!t) throw notFound('trader')
    accountId = t.accountId
    trader = { id: t.id, name: t.name }
  } else {
    const a = await db.exchangeAccount.findFirst({ where: { id: opts.scope.accountId, userId }, select: { id: true } })
    if (!a) throw notFound('exchange account')
    accountId = a.id
  }
  const account = await db.exchangeAccount.findUniqueOrThrow({ where: { id: accountId }, select: { ...ACCOUNT_REF, name: true } })
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true } })
  const requestedBy = opts.requestedBy ?? describeRequester(user.email, actor)
  const scopeLabel = trader ? `trader "${trader.name}"` : `account "${account.name}"`
  const scopeWhere = trader ? { traderId: trader.id } : { accountId }

  // ---- (a) halt, committed before anything else ----------------------------------------------
  const run = await db.$transaction(async (tx) => {
    const reason = `panic by ${requestedBy}`
    // A trader already stopped (paused by a person, halted by a breaker) keeps that stop.
    let stopped = 'halted'
    if (trader) {
      const { changed, previous } = await setTraderStatus(tx, { traderId: trader.id, status: 'HALTED', cause: 'PANIC', reason, actor })
      if (!changed) stopped = `already ${previous.toLowerCase()}, stays so`
    } else await haltAccount(tx, { accountId, reason, actor })
    const created = await tx.panicRun.create({ data: { accountId, traderId: trader?.id ?? null, requestedBy, status: 'RUNNING' } })
    await recordActivity(tx, {
      userId,
      traderId: trader?.id,
      type: 'PANIC',
      severity: 'warning',
      message: `PANIC pressed by ${requestedBy}: ${scopeLabel} ${stopped}; canceling its open orders and closing its positions at market`,
    })
    return created
  })

  const orders: PanicOrderResult[] = []
  const positions: PanicPositionResult[] = []

  // Only now, so that an account whose exchange cannot be reached is still halted; everything
  // in it is then reported FAILED with the reason.
  let exchange: ExchangePort | null = null
  let noExchange = ''
  try {
    exchange = opts.exchangeFor ? opts.exchangeFor(account) : exchangeForAccount(db, account, { allowStaleMarket: true })
  } catch (e) {
    noExchange = `no connection to the exchange: ${message(e)}`
  }

  // ---- (b) one open entry order ---------------------------------------------------------------
  const cancelOne = async (o: { id: string; clientOrderId: string; positionId: string | null; symbol: string; createdAt: Date }): Promise<PanicOrderResult> => {
    const base = { clientOrderId: o.clientOrderId, positionId: o.positionId, symbol: o.symbol }
    if (!exchange) return { ...base, outcome: 'FAILED', detail: noExchange }
    const problems: string[] = []
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        let cur = await db.order.findUniqueOrThrow({ where: { id: o.id } })
        // Possibly in flight from an entry that committed just before the halt: let it land (booked
        // canceled now, it would still go out and rest on the exchange, unknown to our books).
        while (inFlight(cur)) {
          await sleep(100)
          cur = await db.order.findUniqueOrThrow({ where: { id: o.id } })
        }
        if (cur.status === 'NEW') {
          const report = await exchange.fetchOrder(cur.clientOrderId)
          if (!report && cur.lastCheckedAt) {
            // Sent, and its answer lost (a timeout, Binance's -1007): not known yet is not never.
            // Booked lost, the reconciler keeps asking and books it if it lands after all.
            await applyOrderReport(db, cur.id, ownVerdict(cur, 'REJECTED', `${LOST} sent without an answer, and unknown to the exchange when panic asked; not sent again`), actor)
            return { ...base, outcome: 'FAILED', detail: 'sent without an answer and not found on the exchange: it may still land there; booked lost, and a late fill is still booked' }
          }
          if (!report) {
            await applyOrderReport(
              db,
              cur.id,
              { clientOrderId: cur.clientOrderId, exchangeOrderId: null, status: 'CANCELED', filledQty: fromDb(cur.filledQty), fills: [], rejectReason: 'canceled by panic before it reached the exchange' },
              actor,
            )
            return { ...base, outcome: 'CANCELED', detail: 'had not reached the exchange; canceled before sending' }
          }
          await applyOrderReport(db, cur.id, report, actor)
          cur = await db.order.findUniqueOrThrow({ where: { id: o.id } })
        }
        if (isTerminalOrderStatus(cur.status)) {
          return { ...base, outcome: 'ALREADY_DONE', detail: `already ${cur.status.toLowerCase()}${cur.rejectReason ? ` (${cur.rejectReason})` : ''}` }
        }
        let status: string
        if (cur.positionId) {
          status = (await cancelEntry({ db, userId, actor, positionId: cur.positionId, reason: 'canceled by panic', exchange })).status
        } else {
          const report = await exchange.cancelOrder(cur.clientOrderId)
          await applyOrderReport(db, cur.id, { ...report, rejectReason: report.status === 'CANCELED' ? 'canceled by panic' : report.rejectReason }, actor)
          status = report.status
        }
        if (status === 'CANCELED') {
          const filled = fromDb((await db.order.findUniqueOrThrow({ where: { id: o.id } })).filledQty)
          const retried = problems.length ? ` after ${attempt} attempts (first: ${problems[0]})` : ''
          return { ...base, outcome: 'CANCELED', detail: `canceled${filled.gt(0) ? `; ${filled.toFixed()} had filled and is closed with the position` : ''}${retried}` }
        }
        return { ...base, outcome: 'ALREADY_DONE', detail: `the exchange reports it ${status.toLowerCase()}` }
      } catch (e) {
        // Someone else canceled it or it filled meanwhile: the next pass reads the outcome.
        problems.push(message(e))
      }
      if (attempt < maxAttempts) await sleep(backoff(attempt))
    }
    return { ...base, outcome: 'FAILED', detail: `could not cancel after ${maxAttempts} attempts: ${problems.at(-1)}` }
  }

  // ---- (c) one open position --------------------------------------------------------------------
  const closeOne = async (pos: { id: string; traderId: string; symbol: string; side: 'LONG' | 'SHORT' }): Promise<PanicPositionResult> => {
    const base = { positionId: pos.id, traderId: pos.traderId, symbol: pos.symbol, side: pos.side }
    if (!exchange) return { ...base, outcome: 'FAILED', attempts: 0, detail: noExchange }
    let attempts = 0
    let acted = false
    // When this run last asked for an exit: a pending exit order younger than that is ours.
    let ourExitSince: number | null = null
    const unknownChecks = new Map<string, number>()
    let stalePriceAgeMs: number | undefined
    /** Why nothing could be sold, when the exit closed the position as dust (see closeAsDust). */
    let dust: string | null = null
    const problems: string[] = []
    for (;;) {
      // Plain reads on the pool: panic is measured in how fast it gets flat.
      const [p] = await sql.$queryRaw<{ id: string; symbol: string; status: PositionStatus; statusReason: string | null; avgExitPrice: string; realizedPnl: string }[]>`
        SELECT id, symbol, status::text AS status, "statusReason", "avgExitPrice"::text AS "avgExitPrice", "realizedPnl"::text AS "realizedPnl" FROM "Position" WHERE id = ${pos.id}`
      if (!p) throw notFound('position')
      if (p.status === 'CLOSED') {
        const exitPrice = fromDb(p.avgExitPrice).toFixed()
        const realizedPnl = fromDb(p.realizedPnl).toFixed()
        if (!acted) return { ...base, outcome: 'ALREADY_CLOSED', attempts, exitPrice, realizedPnl, detail: `already closed (${p.statusReason?.toLowerCase().replace('_', ' ') ?? 'closed'})` }
        const stale = stalePriceAgeMs !== undefined ? `; on a stale price (${Math.round(stalePriceAgeMs / 1000)} s old: the market-data feed is not updating)` : ''
        const retried = problems.length ? `; took ${attempts} attempts (${problems.join('; ')})` : ''
        if (dust) return { ...base, outcome: 'CLOSED', attempts, exitPrice, realizedPnl, detail: `closed as dust, nothing sold: ${dust}${retried}` }
        return { ...base, outcome: 'CLOSED', attempts, exitPrice, realizedPnl, stalePriceAgeMs, detail: `closed at market, average exit ${exitPrice}, realized PnL ${realizedPnl}${stale}${retried}` }
      }
      if (p.status === 'FAILED') return { ...base, outcome: 'ALREADY_CLOSED', attempts, detail: `entry never filled (${p.statusReason ?? 'failed'}); nothing to close` }
      if (p.status === 'SUBMITTING' || p.status === 'CREATED') {
        // Nothing filled and the entry could not be canceled (see the orders part of the report).
        return { ...base, outcome: 'FAILED', attempts, detail: `its entry order is still working (${p.status.toLowerCase()}); nothing has filled yet` }
      }
      const [pending] = await sql.$queryRaw<{ id: string; clientOrderId: string; status: OrderStatus; filledQty: string; createdAt: Date; notFoundCount: number; lastCheckedAt: Date | null }[]>`
        SELECT id, "clientOrderId", status::text AS status, "filledQty"::text AS "filledQty", "createdAt", "notFoundCount", "lastCheckedAt" FROM "Order"
        WHERE "positionId" = ${p.id} AND ${EXIT_ORDER_SQL} AND status::text = ANY(${[...OPEN_ORDER]}::text[]) ORDER BY "createdAt" DESC LIMIT 1`
      const ours = pending !== undefined && ourExitSince !== null && pending.createdAt.getTime() >= ourExitSince
      if (pending && !ours && inFlight(pending)) {
        // Someone else's exit (a stop, a close click, a concurrent panic) is being sent right now:
        // let it land rather than race it.
        await sleep(100)
        continue
      }
      if (attempts >= maxAttempts) break
      attempts++
      let exitFilled = false
      try {
        const quote = await loadQuote(sql, p.symbol)
        const age = quote ? quoteAgeMs(quote) : 0
        if (isStale(age, staleAfterMs)) stalePriceAgeMs = age
        if (pending?.status === 'NEW') {
          // An exit whose outcome is unknown (ours after a transport error, or one whose sender
          // died): asked about by its client order id, never sent again under it. Binance takes a
          // client id again once the order with it has ended: a filled exit sent again sells twice.
          acted = true
          const report = await exchange.fetchOrder(pending.clientOrderId)
          if (report) await applyOrderReport(db, pending.id, report, actor)
          else {
            const checks = (unknownChecks.get(pending.id) ?? 0) + 1
            unknownChecks.set(pending.id, checks)
            // Unknown twice, its sender done (or gone) and a moment old: it did not reach the book.
            // Declared lost (the reconciler still books a late fill of it), so the next pass sends
            // a new exit under a new id. Until then the checks do not count as attempts.
            if (checks >= 2 && Date.now() >= pending.createdAt.getTime() + LOST_MIN_AGE_MS && !inFlight(pending)) {
              problems.push(`attempt ${attempts}: exit ${pending.clientOrderId} unknown to the exchange after ${checks} checks`)
              const verdict = ownVerdict(pending, 'REJECTED', `${LOST} unknown to the exchange after ${checks} checks by panic; a new exit is sent instead`)
              await applyOrderReport(db, pending.id, verdict, actor, { onlyIf: { status: 'NEW', notFoundCount: pending.notFoundCount } })
            } else {
              attempts--
              await sleep(Math.max(backoff(Math.max(1, attempts)), 100))
            }
            continue
          }
        } else if (pending) {
          // Working on the exchange (a live resting exit): take its news, then cancel what still
          // works, so the remainder goes out at market on the next pass.
          const report = await exchange.fetchOrder(pending.clientOrderId)
          const never = { clientOrderId: pending.clientOrderId, exchangeOrderId: null, status: 'REJECTED' as const, filledQty: fromDb(pending.filledQty), fills: [], rejectReason: 'unknown to the exchange' }
          await applyOrderReport(db, pending.id, report ?? never, actor)
          const now = await db.order.findUniqueOrThrow({ where: { id: pending.id } })
          if (!isTerminalOrderStatus(now.status)) {
            const r = await exchange.cancelOrder(now.clientOrderId)
            await applyOrderReport(db, now.id, { ...r, rejectReason: r.status === 'CANCELED' ? 'canceled by panic to exit at market' : r.rejectReason }, actor)
          }
          // Only bookkeeping so far: the exit attempt itself comes next.
          if (isTerminalOrderStatus((await db.order.findUniqueOrThrow({ where: { id: pending.id } })).status)) attempts--
          continue
        } else {
          ourExitSince = Date.now()
          const sent = await requestExit({
            db,
            userId,
            positionId: p.id,
            actor,
            purpose: 'MANUAL_EXIT',
            size: { kind: 'ALL' },
            reason: `PANIC by ${requestedBy}`,
            allowStaleMarket: true,
            exchange,
            placeInTransaction: true,
          }).catch((e) => {
            // A transport failure leaves our exit order NEW, to be sent again on the next attempt.
            if (e instanceof ExchangeError) acted = true
            throw e
          })
          if (sent && 'dust' in sent) dust = sent.dust
          acted = true
        }
        const [last] = await sql.$queryRaw<{ status: OrderStatus; rejectReason: string | null }[]>`
          SELECT status::text AS status, "rejectReason" FROM "Order" WHERE "positionId" = ${p.id} AND ${EXIT_ORDER_SQL} ORDER BY "createdAt" DESC LIMIT 1`
        if (last?.status === 'REJECTED') problems.push(`attempt ${attempts}: exchange rejected the exit: ${last.rejectReason ?? 'no reason given'}`)
        exitFilled = last?.status === 'FILLED'
      } catch (e) {
        problems.push(`attempt ${attempts}: ${message(e)}`)
        // The exchange asked us to wait (429/418, or our own back-off after one): nothing was sent,
        // so the try does not count; it is made again once the exchange's Retry-After has passed,
        // for as long as the panic's time budget allows.
        const wait = e instanceof ExchangeError && e.kind === 'retryable' ? e.retryAfterMs : undefined
        if (wait !== undefined && Date.now() + wait < started + throttleBudgetMs) {
          attempts--
          await sleep(Math.max(backoff(Math.max(1, attempts)), wait))
          continue
        }
      }
      // A filled exit closed the position (the next pass reads it and reports); anything else is tried again after a pause.
      if (!exitFilled && attempts < maxAttempts) await sleep(backoff(attempts))
    }
    return { ...base, outcome: 'FAILED', attempts, detail: `still open after ${attempts} attempts: ${problems.at(-1) ?? 'no exit went through'}` }
  }

  // ---- rounds -----------------------------------------------------------------------------------
  try {
    const seenOrders = new Set<string>()
    const seenPositions = new Set<string>()
    for (let round = 0; round < ROUNDS; round++) {
      const openOrders = (
        await db.order.findMany({ where: { ...scopeWhere, purpose: 'ENTRY', status: { in: [...OPEN_ORDER] } }, orderBy: { createdAt: 'asc' } })
      ).filter((o) => !seenOrders.has(o.id))
      openOrders.forEach((o) => seenOrders.add(o.id))
      orders.push(...(await inPool(openOrders, concurrency, cancelOne)))

      const openPositions = (
        await db.position.findMany({ where: { ...scopeWhere, status: { in: [...ACTIVE_POSITION_STATUSES] } }, orderBy: { createdAt: 'asc' } })
      ).filter((p) => !seenPositions.has(p.id))
      openPositions.forEach((p) => seenPositions.add(p.id))
      positions.push(...(await inPool(openPositions, concurrency, closeOne)))
      if (openOrders.length === 0 && openPositions.length === 0) break
    }
  } catch (e) {
    // Not an exchange refusal (those are in the report): the database itself failed. Record it.
    await db.$transaction(async (tx) => {
      await tx.panicRun.update({ where: { id: run.id }, data: { status: 'FAILED', finishedAt: new Date(), report: { error: message(e), orders, positions } as unknown as Prisma.InputJsonValue } })
      await recordActivity(tx, { userId, traderId: trader?.id, type: 'PANIC', severity: 'error', message: `PANIC on ${scopeLabel} stopped by an error: ${message(e)}. Trading stays halted; press panic again.` })
    }).catch(() => {}) // the database is what failed; the error below says so
    throw e
  }

  // ---- report, audit, notification ---------------------------------------------------------------
  const failed = orders.filter((o) => o.outcome === 'FAILED').length + positions.filter((p) => p.outcome === 'FAILED').length
  const report: PanicReport = {
    panicRunId: run.id,
    accountId,
    traderId: trader?.id ?? null,
    halted: true,
    status: failed ? 'FAILED' : 'COMPLETED',
    orders,
    positions,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
  }
  await db.$transaction(async (tx) => {
    // The positions' audit rows in three statements, not three each.
    await withBatchedAudit(tx, async () => {
      for (const r of positions) {
        await recordPositionEvent(tx, {
          positionId: r.positionId,
          userId,
          // Not "PANIC": that type is the account-level notification; this is the position's audit row.
          type: 'PANIC_OUTCOME',
          actor,
          message: `Panic (${requestedBy}): ${r.outcome.replace('_', ' ').toLowerCase()}: ${r.detail}`,
          after: { panicRunId: run.id, outcome: r.outcome, attempts: r.attempts, exitPrice: r.exitPrice ?? null, stalePriceAgeMs: r.stalePriceAgeMs ?? null },
        })
      }
    })
    await tx.panicRun.update({
      where: { id: run.id },
      data: { status: report.status, finishedAt: new Date(), report: report as unknown as Prisma.InputJsonValue },
    })
    const count = (l: { outcome: string }[], outcome: string) => l.filter((x) => x.outcome === outcome).length
    const stillOpen = positions.filter((p) => p.outcome === 'FAILED').map((p) => `${p.symbol} ${p.side}`)
    const summary =
      orders.length + positions.length === 0
        ? 'nothing was open'
        : `${count(positions, 'CLOSED')} position(s) closed, ${count(orders, 'CANCELED')} order(s) canceled` +
          (count(positions, 'ALREADY_CLOSED') + count(orders, 'ALREADY_DONE') ? `, ${count(positions, 'ALREADY_CLOSED') + count(orders, 'ALREADY_DONE')} already done` : '') +
          (failed ? `; ${failed} FAILED${stillOpen.length ? ` (still open: ${stillOpen.join(', ')})` : ''}` : '')
    await recordActivity(tx, {
      userId,
      traderId: trader?.id,
      type: 'PANIC',
      severity: failed ? 'error' : 'warning',
      message: `PANIC on ${scopeLabel} finished in ${(report.durationMs / 1000).toFixed(1)} s: ${summary}. Trading stays halted until a person re-enables it.`,
    })
  })
  return report
}

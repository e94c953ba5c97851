import type { Db } from '@/lib/db/client'
import { LOST, ownVerdict } from '@/lib/server/orders/own-verdict'
import { EXIT_ORDER } from '@/lib/server/protection/resting-stop'
import { fromDb } from '@/lib/db/decimal-columns'
import type { OrderStatus } from '@/lib/domain/orders/order-lifecycle'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { ACCOUNT_REF, type AccountRef, exchangeForAccount } from '@/lib/server/exchange/exchange-for-account'
import { applyOrderReport } from '@/lib/server/orders/apply-order-report'
import { requestExit } from '@/lib/server/positions/request-exit'
import { ALL_ACCOUNTS, ownedAccountsWhere, type AccountScope } from '@/workers/lease/account-lease'

export type ExchangeFor = (account: AccountRef) => ExchangePort

export interface ReconcileOptions {
  actor: ActorRef
  log: (m: string) => void
  /** Time between the start of one pass and the next (default 5 s). */
  intervalMs?: number
  /**
   * A NEW order younger than this may still be on its way: the request that created it may be
   * sending it right now, so it is left alone (default 30 s). Not waited for once its sender has
   * said it gave up (submitOrder stamps lastCheckedAt on a transport failure).
   */
  newOrderGraceMs?: number
  /** "Unknown to the exchange" answers in a row before a NEW order is declared lost (default 3). */
  notFoundBudget?: number
  /** The same order is asked about at most this often; it spaces the not-found answers (default 5 s). */
  recheckAfterMs?: number
  /** Orders asked about per pass, longest unchecked first (default 200). */
  batchSize?: number
  /** A rejected exit older than this is history, not something to retry (default 10 min). */
  exitRetryWindowMs?: number
  /** Exit attempts in a row that did not go through before the loop stops retrying (default 5). */
  maxExitAttempts?: number
  /** Wait after failed attempt n (1-based) before the next; default 1 s doubling to at most 30 s. */
  exitRetryBackoffMs?: (attempt: number) => number
  /** Orders declared lost are still asked about for this long after they were created (default 24 h)... */
  lostWatchMs?: number
  /** ...at most this often each (default 60 s): a late fill of a lost order is real and is booked. */
  lostRecheckMs?: number
  /** The exchange of an account; by default the account's own. */
  exchangeFor?: ExchangeFor
  /** The accounts whose orders this reconciler keeps (a worker's share); all by default. */
  scope?: AccountScope
  now?: () => number
}

export interface ReconcileSummary {
  /** Orders asked about. */
  checked: number
  /** Reports that changed an order (status or new fills). */
  applied: number
  /** "Unknown to the exchange" answers counted. */
  notFound: number
  /** NEW orders declared lost (marked REJECTED, never re-sent). */
  lost: number
  /** Exits sent again with a new client order id. */
  exitsRetried: number
  /** Orders or positions whose reconciliation failed (logged; the others went on). */
  errors: number
}

const OPEN = ['NEW', 'SUBMITTED', 'PARTIALLY_FILLED'] as const

/**
 * Keeps our orders in line with the exchange, on a schedule and at start alike, by client
 * order id and never by guessing:
 *  - every unfinished order (NEW past its grace, SUBMITTED, PARTIALLY_FILLED) is asked about;
 *    what the exchange knows is applied (applyOrderReport is idempotent);
 *  - a NEW order the exchange does not know is declared lost (REJECTED, not re-sent) only after
 *    `notFoundBudget` spaced answers; a fill that turns up for it later is still recorded;
 *  - an exit (stop loss, take-profit, manual) that did not go through, on a position still
 *    open, is sent again with a new client order id, a bounded number of times.
 * Passes never overlap. Every step is a compare-and-set or runs under the position's lock, so
 * two reconcilers at once (or one racing the web app) change nothing twice.
 */
export class OrderReconciler {
  private readonly o: Required<Omit<ReconcileOptions, 'exchangeFor' | 'now' | 'scope'>>
  private readonly scope: AccountScope
  private readonly exchangeFor: ExchangeFor
  private readonly now: () => number
  private running: Promise<ReconcileSummary> | null = null
  private timer: NodeJS.Timeout | null = null
  private loop: Promise<void> | null = null
  private stopped = true
  private lastError: string | null = null
  /** Positions whose exits the loop gave up on, so that is said once, not every pass. */
  private readonly gaveUp = new Set<string>()

  constructor(
    private readonly db: Db,
    opts: ReconcileOptions,
  ) {
    this.o = {
      actor: opts.actor,
      log: opts.log,
      intervalMs: opts.intervalMs ?? 5000,
      newOrderGraceMs: opts.newOrderGraceMs ?? 30_000,
      notFoundBudget: Math.max(1, opts.notFoundBudget ?? 3),
      recheckAfterMs: opts.recheckAfterMs ?? 5000,
      batchSize: opts.batchSize ?? 200,
      exitRetryWindowMs: opts.exitRetryWindowMs ?? 10 * 60_000,
      maxExitAttempts: opts.maxExitAttempts ?? 5,
      exitRetryBackoffMs: opts.exitRetryBackoffMs ?? ((n) => Math.min(1000 * 2 ** (n - 1), 30_000)),
      lostWatchMs: opts.lostWatchMs ?? 24 * 3_600_000,
      lostRecheckMs: opts.lostRecheckMs ?? 60_000,
    }
    this.exchangeFor = opts.exchangeFor ?? ((account) => exchangeForAccount(db, account))
    this.now = opts.now ?? Date.now
    this.scope = opts.scope ?? ALL_ACCOUNTS
  }

  /** Runs a pass every interval (the first one interval from now). */
  start() {
    if (!this.stopped) return
    this.stopped = false
    const tick = () => {
      this.loop = this.runOnce().then(
        () => {
          if (this.lastError) this.o.log('reconcile: recovered')
          this.lastError = null
        },
        (e: unknown) => {
          // Once per distinct failure (the database down, say), not every interval.
          const msg = (e as Error).message
          if (msg !== this.lastError) this.o.log(`reconcile: pass failed: ${msg}`)
          this.lastError = msg
        },
      )
      void this.loop.then(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.o.intervalMs)
      })
    }
    this.timer = setTimeout(tick, this.o.intervalMs)
  }

  async stop() {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.loop
    await this.running?.catch(() => {})
  }

  /** One pass. A call while a pass is running joins that pass instead of starting another. */
  runOnce(): Promise<ReconcileSummary> {
    this.running ??= this.pass().finally(() => {
      this.running = null
    })
    return this.running
  }

  private async pass(): Promise<ReconcileSummary> {
    const s: ReconcileSummary = { checked: 0, applied: 0, notFound: 0, lost: 0, exitsRetried: 0, errors: 0 }
    const now = this.now()
    const due = await this.db.order.findMany({
      where: {
        status: { in: [...OPEN] },
        ...ownedAccountsWhere(this.scope),
        AND: [
          { OR: [{ lastCheckedAt: null }, { lastCheckedAt: { lte: new Date(now - this.o.recheckAfterMs) } }] },
          // A NEW order within its grace whose sender has not reported back may still be in flight.
          { OR: [{ status: { not: 'NEW' } }, { createdAt: { lte: new Date(now - this.o.newOrderGraceMs) } }, { lastCheckedAt: { not: null } }] },
        ],
      },
      orderBy: [{ lastCheckedAt: { sort: 'asc', nulls: 'first' } }, { createdAt: 'asc' }],
      take: this.o.batchSize,
      include: { account: { select: ACCOUNT_REF } },
    })
    for (const order of due) {
      try {
        s.checked++
        const r = await this.reconcileOrder(order, now)
        if (r === 'applied') s.applied++
        if (r === 'not-found' || r === 'lost') s.notFound++
        if (r === 'lost') s.lost++
      } catch (e) {
        s.errors++
        this.o.log(`reconcile: order ${order.clientOrderId} failed: ${(e as Error).message}`)
      }
    }
    await this.recheckLost(s)
    await this.retryExits(s)
    if (s.applied || s.lost || s.exitsRetried || s.errors) {
      this.o.log(
        `reconciled: ${s.checked} order(s) checked, ${s.applied} updated from the exchange, ${s.lost} declared lost, ${s.exitsRetried} exit(s) retried` +
          (s.errors ? `, ${s.errors} failed` : ''),
      )
    }
    return s
  }

  private async reconcileOrder(
    o: { id: string; clientOrderId: string; status: OrderStatus; notFoundCount: number; lastCheckedAt: Date | null; createdAt: Date; account: AccountRef },
    now: number,
  ): Promise<'applied' | 'unchanged' | 'not-found' | 'lost' | 'raced'> {
    const report = await this.exchangeFor(o.account).fetchOrder(o.clientOrderId)
    if (report) {
      const changed = await applyOrderReport(this.db, o.id, report, this.o.actor)
      await this.db.order.updateMany({ where: { id: o.id }, data: { lastCheckedAt: new Date(now), notFoundCount: 0 } })
      return changed ? 'applied' : 'unchanged'
    }
    // Counted only if nobody else checked it since we read it: two passes at once count once.
    const counted = await this.db.order.updateMany({
      where: { id: o.id, status: o.status, notFoundCount: o.notFoundCount, lastCheckedAt: o.lastCheckedAt },
      data: { notFoundCount: { increment: 1 }, lastCheckedAt: new Date(now) },
    })
    if (counted.count === 0) return 'raced'
    const count = o.notFoundCount + 1
    if (count < this.o.notFoundBudget) return 'not-found'
    if (o.status !== 'NEW') {
      // The exchange acknowledged it once, so it did reach the book; an exchange that has
      // forgotten it is not a reason to guess its outcome. A person has to look.
      if (count === this.o.notFoundBudget) this.o.log(`reconcile: order ${o.clientOrderId} is ${o.status.toLowerCase()} here but unknown to the exchange; left as it is`)
      return 'not-found'
    }
    const since = Math.round((now - o.createdAt.getTime()) / 1000)
    const declared = await applyOrderReport(
      this.db,
      o.id,
      ownVerdict(o, 'REJECTED', `${LOST} unknown to the exchange after ${count} checks (${since} s after it was created); not re-sent`),
      this.o.actor,
      { onlyIf: { status: 'NEW', notFoundCount: count } },
    )
    return declared ? 'lost' : 'raced'
  }

  /**
   * Asks again, less often, about orders declared lost: a request that was in flight when its
   * sender died can still land on the exchange, and its fills are then real. Whatever the exchange
   * reports is applied (the lifecycle lets a lost order follow it).
   */
  private async recheckLost(s: ReconcileSummary) {
    const now = this.now()
    const lost = await this.db.order.findMany({
      where: {
        status: 'REJECTED',
        rejectReason: { startsWith: LOST },
        ...ownedAccountsWhere(this.scope),
        createdAt: { gte: new Date(now - this.o.lostWatchMs) },
        lastCheckedAt: { lte: new Date(now - this.o.lostRecheckMs) },
      },
      orderBy: { lastCheckedAt: 'asc' },
      take: this.o.batchSize,
      include: { account: { select: ACCOUNT_REF } },
    })
    for (const o of lost) {
      try {
        s.checked++
        const report = await this.exchangeFor(o.account).fetchOrder(o.clientOrderId)
        await this.db.order.updateMany({ where: { id: o.id }, data: { lastCheckedAt: new Date(now) } })
        if (report && (await applyOrderReport(this.db, o.id, report, this.o.actor))) {
          s.applied++
          this.o.log(`reconcile: order ${o.clientOrderId}, declared lost, turned up on the exchange (${report.status.toLowerCase()}); booked`)
        }
      } catch (e) {
        s.errors++
        this.o.log(`reconcile: lost order ${o.clientOrderId} could not be checked: ${(e as Error).message}`)
      }
    }
  }

  /** Sends again the exits that did not go through, for positions that are still open. */
  private async retryExits(s: ReconcileSummary) {
    const now = this.now()
    const rejected = await this.db.order.findMany({
      where: {
        status: 'REJECTED',
        ...EXIT_ORDER,
        ...ownedAccountsWhere(this.scope),
        updatedAt: { gte: new Date(now - this.o.exitRetryWindowMs) },
        position: { status: { in: ['OPEN', 'MONITORING'] } },
      },
      orderBy: { updatedAt: 'desc' },
      take: this.o.batchSize,
      select: { positionId: true },
    })
    for (const positionId of new Set(rejected.map((r) => r.positionId!))) {
      try {
        if (await this.retryExit(positionId, now)) s.exitsRetried++
      } catch (e) {
        s.errors++
        this.o.log(`reconcile: exit retry for position ${positionId} failed: ${(e as Error).message}`)
      }
    }
  }

  private async retryExit(positionId: string, now: number): Promise<boolean> {
    const recent = await this.db.order.findMany({
      where: { positionId, ...EXIT_ORDER },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: this.o.maxExitAttempts + 1,
    })
    const last = recent[0]
    if (!last || last.status !== 'REJECTED' || !fromDb(last.filledQty).isZero()) return false
    let failures = 0
    for (const o of recent) {
      if (o.status !== 'REJECTED' || o.purpose !== last.purpose || !fromDb(o.filledQty).isZero()) break
      failures++
    }
    if (failures >= this.o.maxExitAttempts) {
      if (!this.gaveUp.has(last.id)) {
        this.gaveUp.add(last.id)
        this.o.log(`reconcile: position ${positionId}: ${failures} exit attempts in a row did not go through (last: ${last.rejectReason ?? 'rejected'}); not retrying further`)
      }
      return false
    }
    if (last.updatedAt.getTime() + this.o.exitRetryBackoffMs(failures) > now) return false
    const base = {
      db: this.db,
      positionId,
      actor: this.o.actor,
      exchangeFor: this.exchangeFor,
      retryOf: last.id,
      reason: `Exit ${last.clientOrderId} did not go through (${last.rejectReason ?? 'rejected'}); attempt ${failures + 1}`,
    }
    try {
      const sent =
        last.purpose === 'STOP_LOSS'
          ? await requestExit({ ...base, purpose: 'STOP_LOSS', size: { kind: 'ALL' } })
          : last.purpose === 'TAKE_PROFIT'
            ? last.takeProfitId
              ? await requestExit({ ...base, purpose: 'TAKE_PROFIT', size: { kind: 'TAKE_PROFIT', takeProfitId: last.takeProfitId } })
              : null
            : await requestExit({ ...base, purpose: 'MANUAL_EXIT', size: { kind: 'QTY', qty: fromDb(last.qty) } })
      return sent !== null
    } catch (e) {
      if (!(e instanceof ExchangeError)) throw e
      // The new exit order is persisted and NEW: later passes ask the exchange about it.
      this.o.log(`reconcile: exit retry for position ${positionId} was sent but not confirmed (${e.message}); it will be looked up by client order id`)
      return true
    }
  }
}

/** Applies updates for paper orders the matching engine just filled. */
export async function applyExchangeUpdates(
  db: Db,
  changed: { accountId: string; clientOrderId: string }[],
  actor: ActorRef,
  exchangeFor: ExchangeFor = (account) => exchangeForAccount(db, account),
) {
  for (const c of changed) {
    const o = await db.order.findUnique({ where: { clientOrderId: c.clientOrderId }, include: { account: { select: ACCOUNT_REF } } })
    if (!o) continue
    const report = await exchangeFor(o.account).fetchOrder(c.clientOrderId)
    if (report) await applyOrderReport(db, o.id, report, actor)
  }
}

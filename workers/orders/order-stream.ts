import type { Db } from '@/lib/db/client'
import { ZERO } from '@/lib/domain/decimal'
import { DomainError } from '@/lib/domain/errors'
import { exchangeFillFromRow } from '@/lib/exchange/fill-from-row'
import type { ExchangeFill, ExchangePort, OrderReport } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { ACCOUNT_REF, exchangeForAccount, type AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { applyOrderReport } from '@/lib/server/orders/apply-order-report'
import { ALL_ACCOUNTS, type AccountScope } from '@/workers/lease/account-lease'

export interface OrderStreamOptions {
  actor: ActorRef
  log: (m: string) => void
  /**
   * Asked for after every (re)subscription: what happened before it, or while the stream was down,
   * is only known to REST (the reconciler's pass; `() => reconciler.runOnce()`).
   */
  reconcile: () => Promise<unknown>
  /** The exchange of an account; by default the account's own. */
  exchangeFor?: (account: AccountRef) => ExchangePort
  /** How often the list of exchange accounts is read again, to start and stop streams (default 30 s). */
  accountsEveryMs?: number
  /** The accounts this worker streams (its share); all by default. `rescope()` applies a change at once. */
  scope?: AccountScope
  /** Wait before reconnect attempt n (1-based); default 1 s doubling to at most 30 s. */
  backoffMs?: (attempt: number) => number
}

export interface AccountStreamStatus {
  accountId: string
  state: 'connecting' | 'subscribed' | 'down'
  /** Why it is down (the last failure), or null. */
  error: string | null
  /** Confirmed subscriptions so far (1 + reconnects). */
  subscriptions: number
  /** Reports received (ours or not) and handled. */
  reports: number
}

interface AccountStream extends AccountStreamStatus {
  abort: AbortController
  running: Promise<void>
}

/** Client order ids reported as not ours are logged once each, among this many recent ones. */
const FOREIGN_IDS_REMEMBERED = 1000

/**
 * Order and fill updates pushed by the exchanges' private streams, for every exchange account
 * whose port offers one (ExchangePort.watchOrderReports): a stop executing on the exchange, or a
 * resting limit filling, is booked within moments instead of at the next reconciliation pass.
 * Each report goes through applyOrderReport (idempotent: fills are keyed by the exchange's trade
 * id) for OUR order with that client order id; ids that are not ours are logged and left alone.
 * A stream that fails is dialled again with backoff, and every (re)subscription asks for a
 * reconciliation pass. The reconciler's polling stays on as the fallback and the source of truth.
 */
export class OrderStream {
  private readonly streams = new Map<string, AccountStream>()
  private readonly exchangeFor: (account: AccountRef) => ExchangePort
  private readonly foreign = new Set<string>()
  private timer: NodeJS.Timeout | null = null
  private syncing: Promise<void> | null = null
  private reconciling: Promise<void> = Promise.resolve()
  private stopped = true

  constructor(
    private readonly db: Db,
    private readonly o: OrderStreamOptions,
  ) {
    this.exchangeFor = o.exchangeFor ?? ((account) => exchangeForAccount(db, account))
  }

  /** Starts a stream per account now, and looks for new or removed accounts on a schedule. */
  start(): this {
    if (!this.stopped) return this
    this.stopped = false
    const tick = () => {
      this.syncing = this.syncAccounts()
        .catch((e: unknown) => this.o.log(`order stream: could not read the exchange accounts: ${(e as Error).message}`))
        .finally(() => {
          this.syncing = null
          if (!this.stopped) this.timer = setTimeout(tick, this.o.accountsEveryMs ?? 30_000)
        })
    }
    tick()
    return this
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.syncing
    const all = [...this.streams.values()]
    this.streams.clear()
    for (const s of all) s.abort.abort()
    await Promise.all(all.map((s) => s.running))
    await this.reconciling
    // No stream runs any more: the settings page must not go on saying one does.
    if (all.length) {
      await this.db.exchangeAccount
        .updateMany({ where: { id: { in: all.map((s) => s.accountId) } }, data: { orderStreamState: null, orderStreamError: null } })
        .catch((e: unknown) => this.o.log(`order stream: could not record its state: ${(e as Error).message}`))
    }
  }

  /** Applies a change of the accounts in scope now, not at the next scheduled read. */
  rescope(): Promise<void> {
    return this.syncAccounts().catch((e: unknown) => this.o.log(`order stream: could not read the exchange accounts: ${(e as Error).message}`))
  }

  status(): AccountStreamStatus[] {
    return [...this.streams.values()].map(({ accountId, state, error, subscriptions, reports }) => ({ accountId, state, error, subscriptions, reports }))
  }

  private async syncAccounts() {
    const accounts = await this.db.exchangeAccount.findMany({
      where: { kind: 'CCXT', mode: { in: ['TESTNET', 'LIVE'] }, apiKeyEnc: { not: null }, secretEnc: { not: null } },
      select: { ...ACCOUNT_REF, name: true },
    })
    if (this.stopped) return
    const wanted = new Set<string>()
    const scope = this.o.scope ?? ALL_ACCOUNTS
    for (const a of accounts.filter((x) => scope.owns(x.id))) {
      const port = this.exchangeFor(a)
      if (typeof port.watchOrderReports !== 'function') continue
      wanted.add(a.id)
      if (this.streams.has(a.id)) continue
      const s: AccountStream = { accountId: a.id, state: 'connecting', error: null, subscriptions: 0, reports: 0, abort: new AbortController(), running: Promise.resolve() }
      this.streams.set(a.id, s)
      s.running = this.run(s, port, `"${a.name}"`)
    }
    for (const [id, s] of this.streams) {
      if (wanted.has(id)) continue
      this.streams.delete(id)
      s.abort.abort()
      this.show({ accountId: id, state: null, error: null })
      this.o.log(`order stream: account ${id} is gone, has no keys any more or is another worker's now; its stream is closed`)
    }
  }

  /** One account's stream, dialled again after every failure until aborted. */
  private async run(s: AccountStream, port: ExchangePort, name: string) {
    const signal = s.abort.signal
    const backoff = this.o.backoffMs ?? ((n: number) => Math.min(1000 * 2 ** (n - 1), 30_000))
    let attempt = 0
    let lastLogged: string | null = null
    while (!signal.aborted) {
      s.state = 'connecting'
      let why: string
      try {
        await port.watchOrderReports!(
          {
            onSubscribed: () => {
              attempt = 0
              s.state = 'subscribed'
              s.error = null
              this.show(s)
              s.subscriptions++
              lastLogged = null
              this.o.log(`order stream ${name}: subscribed${s.subscriptions > 1 ? ' again' : ''}; reconciling by REST`)
              this.requestReconcile()
            },
            onReport: (r) => this.onReport(s, port, r),
          },
          signal,
        )
        why = 'the stream ended'
      } catch (e) {
        why = (e as Error).message
      }
      if (signal.aborted) break
      s.state = 'down'
      s.error = why
      attempt++
      const wait = backoff(attempt)
      // Once per distinct failure, not at every attempt.
      if (why !== lastLogged) {
        this.o.log(`order stream ${name}: down (${why}); dialling again in ${wait} ms; orders are polled meanwhile`)
        this.show(s)
      }
      lastLogged = why
      await sleep(wait, signal)
    }
  }

  /** Puts the stream's state on its account, where the settings page shows it (a failure here only costs that). */
  private show(s: { accountId: string; state: AccountStreamStatus['state'] | null; error: string | null }) {
    void this.db.exchangeAccount
      .updateMany({ where: { id: s.accountId }, data: { orderStreamState: s.state, orderStreamError: s.error?.slice(0, 500) ?? null } })
      .catch((e: unknown) => this.o.log(`order stream: could not record its state: ${(e as Error).message}`))
  }

  /** Passes one after the other, never blocking the reports meanwhile. */
  private requestReconcile() {
    this.reconciling = this.reconciling.then(() =>
      this.o.reconcile().then(
        () => {},
        (e: unknown) => this.o.log(`order stream: reconciliation after subscribing failed: ${(e as Error).message}`),
      ),
    )
  }

  private async onReport(s: AccountStream, port: ExchangePort, report: OrderReport) {
    s.reports++
    try {
      await this.apply(s.accountId, port, report)
    } catch (e) {
      // The stream goes on; the reconciler's polling settles this order.
      this.o.log(`order stream: report for ${report.clientOrderId} (${report.status}) not applied: ${(e as Error).message}; polling will settle it`)
    }
  }

  /**
   * A pushed report carries the fills of its own event only: with the fills we hold it makes the
   * whole report applyOrderReport expects, unless a fill event went missing (the running total is
   * more than we can account for), and then REST answers instead. A report older than what we
   * already hold (polling got there first) changes nothing.
   */
  private async apply(accountId: string, port: ExchangePort, pushed: OrderReport) {
    const order = await this.db.order.findUnique({
      where: { clientOrderId: pushed.clientOrderId },
      select: { id: true, accountId: true, fills: { select: { exchangeFillId: true, qty: true, price: true, fee: true, feeAsset: true, liquidity: true, createdAt: true } } },
    })
    if (!order || order.accountId !== accountId) {
      if (!this.foreign.has(pushed.clientOrderId)) {
        if (this.foreign.size >= FOREIGN_IDS_REMEMBERED) this.foreign.clear()
        this.foreign.add(pushed.clientOrderId)
        this.o.log(`order stream: ${pushed.clientOrderId} (${pushed.status}) on account ${accountId} is not one of our orders; ignored`)
      }
      return
    }
    const fills = new Map<string, ExchangeFill>()
    for (const f of order.fills) fills.set(f.exchangeFillId, exchangeFillFromRow(f, f.exchangeFillId))
    for (const f of pushed.fills) if (!fills.has(f.exchangeFillId)) fills.set(f.exchangeFillId, f)
    const held = [...fills.values()].reduce((sum, f) => sum.plus(f.qty), ZERO)
    if (held.gt(pushed.filledQty)) return // older than what we hold
    const report = held.lt(pushed.filledQty) ? await this.lookUp(port, pushed) : { ...pushed, fills: [...fills.values()] }
    if (!report) return
    try {
      await applyOrderReport(this.db, order.id, report, this.o.actor)
    } catch (e) {
      if (!(e instanceof DomainError && e.code === 'ILLEGAL_ORDER_TRANSITION')) throw e
      // Out of order with what polling applied meanwhile (a NEW after a cancel, say): REST decides.
      const now = await this.lookUp(port, pushed)
      if (now) await applyOrderReport(this.db, order.id, now, this.o.actor)
    }
  }

  private async lookUp(port: ExchangePort, pushed: OrderReport): Promise<OrderReport | null> {
    const report = await port.fetchOrder(pushed.clientOrderId)
    if (!report) this.o.log(`order stream: ${pushed.clientOrderId} was reported by the stream but not found by a lookup; polling will settle it`)
    return report
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}

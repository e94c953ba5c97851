import type { Db } from '@/lib/db/client'
import { PeriodicPass } from '@/workers/periodic-pass'
import type { ExchangeOrderFacts, ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { ACCOUNT_REF, exchangeForAccount } from '@/lib/server/exchange/exchange-for-account'
import { adoptOpenOrders } from '@/lib/server/orders/adopt-open-orders'
import { adoptRecentFills } from '@/lib/server/orders/adopt-recent-fills'
import type { ExchangeFor } from './reconcile-orders'
import { ALL_ACCOUNTS, type AccountScope } from '@/workers/lease/account-lease'

type Account = { id: string; name: string; userId: string }

/**
 * Reads the open orders of every exchange account (in the markets of its positions and
 * watchlists) and adopts the ones of ours that the database lacks: see adoptOpenOrders; and, on a
 * slower schedule (at start, then every `fillsIntervalMs`), the orders of ours that already ended
 * there, found in the account's trades of the last 24 hours: see adoptRecentFills. Run once at
 * start, before the protection keeper (a stop the database lost must be known before the keeper
 * would place a second one), then on a schedule. What is said once is not said again every pass:
 * others' orders per account (again when their number changes), a failure until it changes.
 */
export class OrderAdoption {
  private readonly loop: PeriodicPass
  private readonly foreign = new Map<string, number>()
  private readonly failing = new Map<string, string>()
  private readonly unrecordable = new Set<string>()
  /** Per account: exchange order ids with recent trades that are not ours (looked up once). */
  private readonly foreignTraded = new Map<string, Set<string>>()
  private fillsReadAt = Number.NEGATIVE_INFINITY

  constructor(
    private readonly db: Db,
    private readonly actor: ActorRef,
    private readonly log: (m: string) => void,
    private readonly opts: { intervalMs?: number; fillsIntervalMs?: number; exchangeFor?: ExchangeFor; maxSymbols?: number; scope?: AccountScope } = {},
  ) {
    this.loop = new PeriodicPass(() => this.pass(), { intervalMs: opts.intervalMs ?? 60_000, atStart: false, onError: (e) => this.log(`adopt: pass failed: ${e.message}`) })
  }

  /** One pass over every account; a call while one runs joins it. Never rejects. */
  runOnce(): Promise<void> {
    return this.loop.runOnce()
  }

  /** Passes every interval (default 60 s), the first one interval from now: the worker runs one at start itself. */
  start() {
    this.loop.start()
  }

  stop(): Promise<void> {
    return this.loop.stop()
  }

  private async pass() {
    const accounts = await this.db.exchangeAccount.findMany({ where: { kind: 'CCXT' }, select: { ...ACCOUNT_REF, name: true, userId: true } })
    // Trades weigh more to read than open orders and ended orders hurt nothing more by waiting: every 5 minutes by default.
    const withFills = Date.now() - this.fillsReadAt >= (this.opts.fillsIntervalMs ?? 300_000)
    if (withFills) this.fillsReadAt = Date.now()
    const scope = this.opts.scope ?? ALL_ACCOUNTS
    for (const a of accounts.filter((x) => scope.owns(x.id))) {
      const exchange = this.opts.exchangeFor?.(a) ?? exchangeForAccount(this.db, a)
      await this.adoptOpen(a, exchange)
      if (withFills) await this.adoptFills(a, exchange)
    }
  }

  private async adoptOpen(a: Account, exchange: ExchangePort) {
    try {
      const r = await adoptOpenOrders({ db: this.db, account: a, exchange, actor: this.actor, maxSymbols: this.opts.maxSymbols })
      if (this.failing.delete(a.id)) this.log(`adopt: account "${a.name}": open orders checked again`)
      if (!r) return
      this.report(a, r, 'is working')
      if (r.foreign !== (this.foreign.get(a.id) ?? 0)) {
        this.foreign.set(a.id, r.foreign)
        this.log(`adopt: account "${a.name}": ${r.foreign} order(s) not placed by Tradeloop rest on the exchange (${r.symbols.join(', ')}); left alone`)
      }
    } catch (e) {
      const why = (e as Error).message
      if (this.failing.get(a.id) !== why) this.log(`adopt: account "${a.name}": open orders could not be checked: ${why}`)
      this.failing.set(a.id, why)
    }
  }

  private async adoptFills(a: Account, exchange: ExchangePort) {
    const key = `${a.id}:fills`
    let foreign = this.foreignTraded.get(a.id)
    if (!foreign) this.foreignTraded.set(a.id, (foreign = new Set()))
    try {
      const r = await adoptRecentFills({ db: this.db, account: a, exchange, actor: this.actor, maxSymbols: this.opts.maxSymbols, foreign })
      if (this.failing.delete(key)) this.log(`adopt: account "${a.name}": recent trades checked again`)
      if (!r) return
      this.report(a, r, 'traded')
    } catch (e) {
      const why = (e as Error).message
      if (this.failing.get(key) !== why) this.log(`adopt: account "${a.name}": recent trades could not be checked: ${why}`)
      this.failing.set(key, why)
    }
  }

  /** Each adoption, and once per order one of ours of a type we never place. */
  private report(a: Account, r: { adopted: { message: string }[]; unrecordable: ExchangeOrderFacts[] }, what: string) {
    for (const x of r.adopted) this.log(`adopt: account "${a.name}": ${x.message}`)
    for (const x of r.unrecordable) {
      if (this.unrecordable.has(x.clientOrderId)) continue
      this.unrecordable.add(x.clientOrderId)
      this.log(`adopt: account "${a.name}": order ${x.clientOrderId} of ours (${x.side} ${x.venueType} on ${x.symbol}) ${what} on the exchange and is unknown here, of a type Tradeloop does not place; left alone`)
    }
  }
}

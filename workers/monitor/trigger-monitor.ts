import type { Prisma } from '@/lib/generated/prisma/client'
import type { Db } from '@/lib/db/client'
import { ACCOUNT_REF, exchangeForAccount, type AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { fromDb } from '@/lib/db/decimal-columns'
import type { Decimal } from '@/lib/domain/decimal'
import { stopLimitPrice } from '@/lib/domain/market/stop-limit'
import { exitSideFor } from '@/lib/domain/positions/fill-ledger'
import { TriggerIndex, type Trigger } from '@/lib/domain/triggers/trigger-index'
import type { ExchangePort } from '@/lib/exchange/port'
import type { Quote } from '@/lib/market-data/quote'
import { loadMarketRules } from '@/lib/market-data/quote-store'
import type { ActorRef } from '@/lib/server/audit/actor'
import { requestExit } from '@/lib/server/positions/request-exit'
import { WORKING_STATUSES } from '@/lib/server/protection/resting-stop'
import { ALL_ACCOUNTS, type AccountScope } from '@/workers/lease/account-lease'

// Positions armed per query at start and on taking accounts over.
const LOAD_BATCH = 1000
/** The level of a native stop-limit's limit price (see arm). */
const GAPPED = ':sl-limit'

type Loaded = Prisma.PositionGetPayload<{
  include: { takeProfits: true; account: { select: typeof ACCOUNT_REF }; orders: { select: { takeProfitId: true } } }
}>

/**
 * Keeps every monitored position's stop and take-profits in a TriggerIndex (cost per tick
 * O(log n + fired), not O(open positions)) and exits through the same service as a manual
 * close when the market touches a level. The index is rebuilt from the database at start
 * and per position on every change notification, so nothing lives only in memory. Only positions
 * of the accounts this worker owns (its scope) are watched.
 */
export class TriggerMonitor {
  readonly index = new TriggerIndex()
  /** The newest quote seen per symbol, for positions armed after it came. */
  private readonly lastQuotes = new Map<string, Quote>()
  /** Positions this worker has armed (and still may): the last quote is checked on the first arming only. */
  private readonly armedBefore = new Set<string>()

  constructor(
    private readonly db: Db,
    private readonly actor: ActorRef,
    private readonly log: (msg: string) => void,
    /** The exchange per account; by default the account's own (a seam for the worker's wiring and tests). */
    private readonly exchangeFor?: (account: AccountRef) => ExchangePort,
    private readonly scope: AccountScope = ALL_ACCOUNTS,
  ) {}

  async loadAll(): Promise<void> {
    const rows = await this.db.position.findMany({ where: { status: 'MONITORING' }, select: { id: true, accountId: true } })
    for (const t of this.index.list()) this.index.remove(t.id)
    this.armedBefore.clear()
    await this.reloadMany(rows.filter((p) => this.scope.owns(p.accountId)).map((p) => p.id))
  }

  /**
   * After the accounts owned changed: drops the positions of accounts given up and arms those of
   * accounts taken over, leaving the others armed throughout (no tick goes unwatched for them).
   */
  async rescope(): Promise<void> {
    const rows = await this.db.position.findMany({ where: { status: 'MONITORING' }, select: { id: true, accountId: true } })
    const wanted = new Set(rows.filter((p) => this.scope.owns(p.accountId)).map((p) => p.id))
    const armed = new Set(this.index.list().map((t) => t.positionId))
    for (const id of armed) {
      if (wanted.has(id)) continue
      this.index.removePosition(id)
      this.armedBefore.delete(id)
    }
    await this.reloadMany([...wanted].filter((id) => !armed.has(id)))
  }

  /**
   * Re-arms one position from the database (or disarms it if no longer monitored). A position
   * armed for the first time is checked against the last quote of its symbol at once: the tick
   * that crossed its level may have come before the position reached this worker (a second
   * worker takes ticks over LISTEN, positions over their own notification), and while the price
   * stays put no other tick follows. Only the first time: re-arming after a failed exit does not
   * retry it (the next tick does, as for every position).
   */
  async reload(positionId: string): Promise<void> {
    await this.reloadMany([positionId])
  }

  /**
   * Re-arms many positions with one query per LOAD_BATCH of them. One findUnique each, all at
   * once, is what Prisma batches into a single query whose answer it matches back to each caller
   * one by one: quadratic, 30 s of start-up for 10,000 positions.
   */
  private async reloadMany(ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += LOAD_BATCH) {
      const batch = ids.slice(i, i + LOAD_BATCH)
      const rows = await this.db.position.findMany({
        where: { id: { in: batch } },
        include: {
          takeProfits: { where: { status: 'ACTIVE' } },
          account: { select: ACCOUNT_REF },
          // Targets resting on the exchange paired with the stop (OCO): the exchange executes those.
          orders: { where: { purpose: 'TAKE_PROFIT', listClientOrderId: { not: null }, status: { in: WORKING_STATUSES } }, select: { takeProfitId: true } },
        },
      })
      const byId = new Map(rows.map((p) => [p.id, p]))
      // Ticks of the symbols whose stops rest on an exchange as stop-limits (see arm).
      const ticks = new Map<string, Decimal>()
      for (const symbol of new Set(rows.filter((p) => p.stopLoss && this.exchangeOf(p).capabilities?.stopLimitOffset).map((p) => p.symbol))) {
        const rules = await loadMarketRules(this.db, symbol)
        if (rules) ticks.set(symbol, rules.tickSize)
      }
      const touched = batch.map((id) => this.arm(id, byId.get(id) ?? null, ticks)).filter((t) => t !== null)
      await Promise.all(touched.map(([t, quote]) => this.execute(t, quote)))
    }
  }

  private exchangeOf(p: Loaded): ExchangePort {
    return this.exchangeFor?.(p.account) ?? exchangeForAccount(this.db, p.account)
  }

  /** Puts one position's levels in the index; returns the level the last quote already touched on a first arming. */
  private arm(positionId: string, p: Loaded | null, ticks: Map<string, Decimal>): [Trigger, Quote] | null {
    const firstArming = !this.armedBefore.has(positionId)
    this.index.removePosition(positionId)
    if (!p || p.status === 'CLOSED' || p.status === 'FAILED' || !this.scope.owns(p.accountId)) this.armedBefore.delete(positionId)
    if (!p || p.status !== 'MONITORING' || !this.scope.owns(p.accountId)) return null
    this.armedBefore.add(p.id)
    const exitSide = exitSideFor(p.side)
    // A venue with a native stop holds the stop itself (the protection keeper puts it there);
    // watching it here too would race the exchange's own execution with a second exit. Its stop
    // rests as a stop-limit, though, and a price that jumps past the limit leaves that resting
    // unfilled: from there the worker exits at market, as a stop-market would have.
    const capabilities = this.exchangeOf(p).capabilities
    const tick = ticks.get(p.symbol)
    if (p.stopLoss && !capabilities?.nativeStop) this.index.upsert({ id: `${p.id}:sl`, positionId: p.id, symbol: p.symbol, kind: 'STOP_LOSS', exitSide, price: fromDb(p.stopLoss) })
    else if (p.stopLoss && capabilities?.stopLimitOffset && tick) {
      // One tick past the limit: at the limit itself the exchange's order can still fill.
      const limit = stopLimitPrice(fromDb(p.stopLoss), exitSide, capabilities.stopLimitOffset, tick)
      this.index.upsert({ id: `${p.id}${GAPPED}`, positionId: p.id, symbol: p.symbol, kind: 'STOP_LOSS', exitSide, price: exitSide === 'SELL' ? limit.minus(tick) : limit.plus(tick) })
    }
    const onExchange = new Set(p.orders.map((o) => o.takeProfitId))
    for (const tp of p.takeProfits) {
      if (onExchange.has(tp.id)) continue
      this.index.upsert({ id: `${p.id}:tp:${tp.id}`, positionId: p.id, symbol: p.symbol, kind: 'TAKE_PROFIT', exitSide, price: fromDb(tp.price) })
    }
    const last = firstArming ? this.lastQuotes.get(p.symbol) : undefined
    // Stops come first among the levels a quote touches.
    const touched = last && this.index.fired(p.symbol, last).find((t) => t.positionId === p.id)
    return touched && last ? [touched, last] : null
  }

  /** Executes whatever the quote touched; one exit per position per tick (stops first). */
  async onQuote(quote: Quote): Promise<number> {
    this.lastQuotes.set(quote.symbol, quote)
    const fired = this.index.fired(quote.symbol, quote)
    const seen = new Set<string>()
    const todo: Trigger[] = []
    for (const t of fired) {
      if (seen.has(t.positionId)) continue
      seen.add(t.positionId)
      todo.push(t)
    }
    await Promise.all(todo.map((t) => this.execute(t, quote)))
    return todo.length
  }

  private async execute(t: Trigger, quote: Quote) {
    const at = t.exitSide === 'SELL' ? quote.bid : quote.ask
    try {
      await requestExit({
        db: this.db,
        positionId: t.positionId,
        actor: this.actor,
        purpose: t.kind,
        size: t.kind === 'STOP_LOSS' ? { kind: 'ALL' } : { kind: 'TAKE_PROFIT', takeProfitId: t.id.split(':tp:')[1] },
        exchangeFor: this.exchangeFor,
        reason: t.id.endsWith(GAPPED)
          ? `The price went past the limit of the stop resting on the exchange (${t.exitSide === 'SELL' ? 'bid' : 'ask'} ${at.toFixed()}), where the triggered stop-limit cannot fill: exit at market`
          : `${t.kind === 'STOP_LOSS' ? 'Stop loss' : 'Take-profit'} ${t.price.toFixed()} touched (${t.exitSide === 'SELL' ? 'bid' : 'ask'} ${at.toFixed()})`,
      })
    } catch (e) {
      this.log(`exit for position ${t.positionId} failed: ${(e as Error).message}`)
    } finally {
      await this.reload(t.positionId)
    }
  }
}

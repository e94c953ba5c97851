import { randomInt } from 'node:crypto'
import type pg from 'pg'
import { SHARD_COUNT, shardOf, shardSql } from './account-shard'

/** Which exchange accounts this worker handles now. */
export interface AccountScope {
  owns(accountId: string): boolean
  /** The accounts owned, for queries; null when every shard is held (no filter needed). */
  accountIds(): readonly string[] | null
}

/** The whole database: a worker alone, or a test. */
export const ALL_ACCOUNTS: AccountScope = { owns: () => true, accountIds: () => null }

// Two-key advisory locks (objsubid 2 in pg_locks), a key space apart from the one-key primary lock.
const MEMBER_CLASS = 72_720
const SHARD_CLASS = 72_721
// The primary worker runs the market data feed and the passes over every user. It is a one-key
// lock (the key the single worker always took), so an older worker still excludes a newer one.
export const PRIMARY_KEY = 727_2024

export interface AccountLeaseOptions {
  /** How often holdings are checked against the workers alive. */
  intervalMs?: number
  /** The least time between giving a shard up and releasing its lock (work under way ends first). */
  drainMs?: number
  /**
   * The most time to wait for the change listeners' promises (work under way on the given-up
   * accounts, such as a decision cycle waiting on its model) before releasing anyway.
   */
  maxDrainMs?: number
  log: (m: string) => void
  now?: () => number
}

export interface LeaseState {
  primary: boolean
  shards: number
  accounts: number
  workers: number
}

/**
 * Splits the exchange accounts (and with them their traders, positions and orders) between the
 * worker processes through PostgreSQL. Each shard of accounts is a session-level advisory lock on
 * this worker's own connection, so PostgreSQL frees it the moment the worker dies or loses the
 * database. Every worker also holds a membership lock for its lifetime; pg_locks therefore tells
 * each one how many workers are alive, and each holds its fair share, ceil(SHARD_COUNT / workers):
 * a second worker makes the first give up half, and a dead worker's shards are free on the next
 * check of the others.
 *
 * A shard given up stops counting as owned at once, but its lock is released only once the
 * change listeners' work has ended (a decision cycle under way, say) and at least `drainMs` has
 * passed, so what the old owner had under way on those accounts ends before the new owner starts.
 * Correctness never rests on that alone: exits, fills and stops change rows under row locks and
 * re-check their state, as they do for a web request racing the worker.
 */
export class AccountLease implements AccountScope {
  private readonly held = new Set<number>()
  /** Shards given up and not yet released: when they may be, and whether the listeners have let go. */
  private readonly draining = new Map<number, { until: number; settled: boolean }>()
  /**
   * Changes of the shards held that the listeners have not been told of yet: a check that fails
   * after the change (a query error) leaves them here for the next check, so a shard given up
   * is released (and one taken is served) even then.
   */
  private unannounced = { gained: false, lost: false, givenUp: [] as { until: number; settled: boolean }[] }
  private owned: readonly string[] | null = []
  private ownedCount = 0
  private primaryHeld = false
  private workers = 1
  private timer: NodeJS.Timeout | null = null
  private ticking: Promise<void> | null = null
  private stopped = true
  private readonly listeners: ((change: { gained: boolean; lost: boolean }) => unknown)[] = []
  private readonly primaryListeners: (() => void)[] = []
  private readonly order: number[]

  constructor(
    private readonly client: pg.Client,
    private readonly o: AccountLeaseOptions,
  ) {
    // Each worker walks the free shards in its own order, so two starting together rarely race for one.
    const offset = randomInt(SHARD_COUNT)
    this.order = Array.from({ length: SHARD_COUNT }, (_, i) => (i + offset) % SHARD_COUNT)
  }

  owns(accountId: string): boolean {
    return this.held.has(shardOf(accountId))
  }

  accountIds(): readonly string[] | null {
    return this.owned
  }

  get primary(): boolean {
    return this.primaryHeld
  }

  state(): LeaseState {
    return { primary: this.primaryHeld, shards: this.held.size, accounts: this.ownedCount, workers: this.workers }
  }

  /**
   * Called after every change of the shards held (gained, lost or both). When shards were lost,
   * their locks are released only once the promise the listener returns has settled (at most
   * `maxDrainMs`): the new owner starts after the old one's work on those accounts has ended.
   */
  onChange(listener: (change: { gained: boolean; lost: boolean }) => unknown) {
    this.listeners.push(listener)
  }

  /** Called once, when this worker becomes the primary one. */
  onPrimary(listener: () => void) {
    this.primaryListeners.push(listener)
  }

  /** Joins: takes the membership lock and a first share, then checks again every interval. */
  async start(): Promise<void> {
    if (!this.stopped) return
    this.stopped = false
    for (;;) {
      const r = await this.client.query('SELECT pg_try_advisory_lock($1, $2) AS ok', [MEMBER_CLASS, randomInt(2 ** 31 - 1)])
      if (r.rows[0].ok) break
    }
    await this.tick()
    const again = () => {
      if (this.stopped) return
      this.timer = setTimeout(() => void (this.ticking = this.tick().finally(again)), this.o.intervalMs ?? 1000)
    }
    again()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await this.ticking
    // The connection's end releases every lock; the caller closes it after its loops stopped.
  }

  /** One check: primary lock, workers alive, shards to take or give up, accounts owned. */
  async tick(): Promise<void> {
    try {
      if (!this.primaryHeld) {
        const r = await this.client.query('SELECT pg_try_advisory_lock($1) AS ok', [PRIMARY_KEY])
        if (r.rows[0].ok) {
          this.primaryHeld = true
          this.o.log('lease: this worker is now the primary one (market data and the passes over every user)')
          for (const l of this.primaryListeners) l()
        }
      }
      const locks = await this.client.query<{ cls: number; key: number }>(
        `SELECT classid::int8 AS cls, objid::int8 AS key FROM pg_locks
         WHERE locktype = 'advisory' AND objsubid = 2 AND granted AND classid IN ($1, $2)
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [MEMBER_CLASS, SHARD_CLASS],
      )
      const members = locks.rows.filter((r) => Number(r.cls) === MEMBER_CLASS).length
      const taken = new Set(locks.rows.filter((r) => Number(r.cls) === SHARD_CLASS).map((r) => Number(r.key)))
      this.workers = Math.max(1, members)
      const fair = Math.ceil(SHARD_COUNT / this.workers)
      const pending = this.unannounced
      if (this.held.size > fair) {
        const extra = [...this.held].slice(fair)
        const until = (this.o.now ?? Date.now)() + (this.o.drainMs ?? 3000)
        for (const s of extra) {
          this.held.delete(s)
          const entry = { until, settled: false }
          this.draining.set(s, entry)
          pending.givenUp.push(entry)
        }
        pending.lost = true
        this.o.log(`lease: ${this.workers} workers alive; giving up ${extra.length} shard(s), keeping ${this.held.size}`)
      }
      for (const [s, d] of this.draining) {
        if (!d.settled || (this.o.now ?? Date.now)() < d.until) continue
        await this.client.query('SELECT pg_advisory_unlock($1, $2)', [SHARD_CLASS, s])
        this.draining.delete(s)
      }
      let took = 0
      for (const s of this.order) {
        if (this.held.size >= fair) break
        if (taken.has(s) || this.held.has(s) || this.draining.has(s)) continue
        const r = await this.client.query('SELECT pg_try_advisory_lock($1, $2) AS ok', [SHARD_CLASS, s])
        if (r.rows[0].ok) {
          this.held.add(s)
          took++
        }
      }
      if (took) {
        pending.gained = true
        this.o.log(`lease: took ${took} shard(s); holding ${this.held.size} of ${SHARD_COUNT} with ${this.workers} worker(s) alive`)
      }
      await this.refreshAccounts()
      if (pending.gained || pending.lost) {
        this.unannounced = { gained: false, lost: false, givenUp: [] }
        const { gained, lost, givenUp } = pending
        const work = this.listeners.map((l) => Promise.resolve().then(() => l({ gained, lost })))
        const cap = this.o.maxDrainMs ?? 60_000
        let timer: NodeJS.Timeout | undefined
        const capped = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), cap)))
        void Promise.race([Promise.allSettled(work), capped]).then((r) => {
          clearTimeout(timer)
          if (r === 'timeout' && givenUp.length) this.o.log(`lease: work on the accounts given up did not end within ${cap} ms; releasing them anyway`)
          for (const d of givenUp) d.settled = true
        })
      }
    } catch (e) {
      this.o.log(`lease: check failed: ${(e as Error).message}`)
    }
  }

  private async refreshAccounts() {
    const r = await this.client.query<{ id: string }>(`SELECT id FROM "ExchangeAccount" WHERE ${shardSql('id')} = ANY($1::int[])`, [[...this.held]])
    this.ownedCount = r.rows.length
    this.owned = this.held.size === SHARD_COUNT ? null : r.rows.map((x) => x.id)
  }
}

/** A Prisma filter on `accountId` for the accounts in scope (none when every account is). */
export function ownedAccountsWhere(scope: AccountScope): { accountId?: { in: string[] } } {
  const ids = scope.accountIds()
  return ids === null ? {} : { accountId: { in: [...ids] } }
}

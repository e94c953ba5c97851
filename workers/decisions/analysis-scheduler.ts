import { poolOf, type Db } from '@/lib/db/client'
import type { ActorRef } from '@/lib/server/audit/actor'
import { FIRST_DATA_WAIT_MS, runAnalysisCycle, type CandleSource, type CycleTrigger } from '@/lib/server/decisions/run-analysis-cycle'
import { ALL_ACCOUNTS, ownedAccountsWhere, type AccountScope } from '@/workers/lease/account-lease'
import { claimCycle } from './cycle-claim'

export interface SchedulerOptions {
  candles: CandleSource
  actor: ActorRef
  log: (m: string) => void
  staleAfterMs: number
  /** How often to look for traders whose cycle is due. */
  pollMs?: number
  /** Cycles running at once, across traders. */
  concurrency?: number
  now?: () => number
  /** Only traders of these accounts (a worker's share) are scheduled; all by default. */
  scope?: AccountScope
  /** For this long after start(), cycles wait for fresh prices (see CycleOptions.freshPricesBy); FIRST_DATA_WAIT_MS unless given. */
  warmUpMs?: number
}

/**
 * Runs each auto-trading trader's analysis cycle when it is due (Trader.nextCycleAt, kept in the
 * database so a restart resumes the schedule) and at once on an `analyze` signal. A trader's
 * cycle never overlaps itself: a signal during a cycle runs one more cycle right after it, and
 * across workers each cycle first takes the trader's claim (claimCycle).
 */
export class AnalysisScheduler {
  private timer: NodeJS.Timeout | null = null
  private stopped = false
  private readonly running = new Map<string, Promise<void>>()
  private readonly again = new Map<string, { trigger: CycleTrigger; symbol?: string }>()
  private freshPricesBy = 0

  constructor(
    private readonly db: Db,
    private readonly o: SchedulerOptions,
  ) {}

  start() {
    this.freshPricesBy = Date.now() + (this.o.warmUpMs ?? FIRST_DATA_WAIT_MS)
    const tick = async () => {
      if (this.stopped) return
      await this.runDue().catch((e: Error) => this.o.log(`analysis scheduler: ${e.message}`))
      if (!this.stopped) this.timer = setTimeout(tick, this.o.pollMs ?? 2000)
    }
    void tick()
  }

  async stop() {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await Promise.allSettled([...this.running.values()])
  }

  /**
   * Resolves once the cycles running now (and any re-run asked for meanwhile) have ended: before a
   * worker releases accounts to another, so one trader's cycles never overlap across workers.
   */
  async settle(): Promise<void> {
    const ids = [...this.running.keys()]
    for (;;) {
      const left = ids.map((id) => this.running.get(id)).filter((r): r is Promise<void> => r !== undefined)
      if (!left.length) return
      await Promise.allSettled(left)
      // A re-run starts right after its cycle ended (in its finally); let it register first.
      await new Promise((r) => setImmediate(r))
    }
  }

  /** Starts every due cycle (up to the concurrency limit); resolves when they are started. */
  async runDue(): Promise<void> {
    const now = new Date((this.o.now ?? Date.now)())
    const free = (this.o.concurrency ?? 4) - this.running.size
    if (free <= 0) return
    const due = await this.db.trader.findMany({
      where: { autoTrade: true, OR: [{ nextCycleAt: null }, { nextCycleAt: { lte: now } }], id: { notIn: [...this.running.keys()] }, ...ownedAccountsWhere(this.o.scope ?? ALL_ACCOUNTS) },
      orderBy: { nextCycleAt: { sort: 'asc', nulls: 'first' } },
      take: free,
      select: { id: true },
    })
    for (const t of due) this.trigger(t.id, 'SCHEDULE')
  }

  /** Runs a cycle for the trader now, or right after the one in progress. */
  trigger(traderId: string, trigger: CycleTrigger, symbol?: string): Promise<void> {
    const current = this.running.get(traderId)
    if (current) {
      if (trigger !== 'SCHEDULE') this.again.set(traderId, { trigger, symbol })
      return current
    }
    const run = (async () => {
      try {
        // Across workers: one whose lease on the trader's account ended may still be running its cycle.
        let release: (() => Promise<void>) | null
        try {
          release = await claimCycle(poolOf(this.db), traderId, (e) => this.o.log(`cycle for trader ${traderId}: its claim was lost with its connection (${e.message}); the cycle goes on`))
        } catch (e) {
          this.o.log(`cycle for trader ${traderId} not started: its claim could not be taken (${(e as Error).message})`)
          return
        }
        if (release === null) {
          this.o.log(`cycle for trader ${traderId} not started: another worker is still running one (it is due again on the next pass)`)
          return
        }
        try {
          await this.runCycle(traderId, trigger, symbol)
        } finally {
          await release()
        }
      } finally {
        this.running.delete(traderId)
        const next = this.again.get(traderId)
        this.again.delete(traderId)
        if (next && !this.stopped) void this.trigger(traderId, next.trigger, next.symbol)
      }
    })()
    this.running.set(traderId, run)
    return run
  }

  private async runCycle(traderId: string, trigger: CycleTrigger, symbol?: string) {
    try {
      const r = await runAnalysisCycle({ db: this.db, traderId, candles: this.o.candles, actor: this.o.actor, trigger, symbol, staleAfterMs: this.o.staleAfterMs, now: this.o.now, log: this.o.log, freshPricesBy: this.freshPricesBy })
      const acted = r.decisions.filter((d) => d.outcome !== 'NO_ACTION')
      // A failure says why (as the journal does): "FAILED" alone sends the operator to the database.
      if (acted.length) this.o.log(`cycle ${traderId}: ${acted.map((d) => `${d.symbol} ${d.action ?? '-'} ${d.outcome}${d.error ? ` (${d.error})` : ''}`).join(', ')}`)
    } catch (e) {
      this.o.log(`cycle for trader ${traderId} failed: ${(e as Error).message}`)
      // Back off so a broken trader does not spin.
      await this.db.trader.update({ where: { id: traderId }, data: { nextCycleAt: new Date(Date.now() + 60_000), lastCycleError: (e as Error).message } }).catch(() => {})
    }
  }
}

import pg from 'pg'
import type { Db } from '@/lib/db/client'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import type { AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { processSignal } from '@/lib/server/signals/process-signal'
import { adoptSignal, claimSignals, processingSignals, releaseSignal, SIGNALS_CHANNEL } from '@/lib/server/signals/signal-queue'

export interface SignalLoopOptions {
  /** The worker's own connection (LISTEN and the processing locks) is opened to this database. */
  databaseUrl: string
  exchangeFor?: (account: AccountRef) => ExchangePort
  /**
   * Only signals of traders on these exchange accounts are taken (several workers may split the
   * accounts between them); null or not given: all.
   */
  accounts?: () => ReadonlySet<string> | null
  /** Signals processed side by side (different traders or symbols); default 8, like the entry slots. */
  concurrency?: number
  /** How often abandoned signals are looked for, and the queue is read without a NOTIFY; default 2 s. */
  sweepMs?: number
  /** How long a reverse waits for its close to fill; default 30 s. */
  closeWaitMs?: number
}

/**
 * Runs webhook signals from their durable queue (the Signal table): woken by the intake's NOTIFY
 * and on a schedule, it claims queued signals (oldest first, one at a time per trader and symbol)
 * and processes them through the same services as manual entries and closes. Each signal being
 * processed holds a session advisory lock on this loop's own connection; a signal left PROCESSING
 * by a worker that died has no lock holder, and is adopted and finished here.
 */
export class SignalLoop {
  private session: pg.Client | null = null
  private ticking: Promise<void> | null = null
  private readonly inFlight = new Map<string, Promise<void>>()
  private pumping: Promise<void> | null = null
  private again = false
  private timer: NodeJS.Timeout | null = null
  private stopped = true
  // The connection runs one query at a time: its users take turns (pg 9 will refuse overlapping queries).
  private turn: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly db: Db,
    private readonly actor: ActorRef,
    private readonly log: (m: string) => void,
    private readonly opts: SignalLoopOptions,
  ) {}

  start(): this {
    if (!this.stopped) return this
    this.stopped = false
    this.ticking = this.tick()
    return this
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await this.ticking
    await this.pumping
    await Promise.all([...this.inFlight.values()])
    await this.turn
    const s = this.session
    this.session = null
    // Ending the connection releases every lock it holds.
    await s?.end().catch(() => {})
  }

  /** Claims and starts what can run now; called on NOTIFY, after each signal, and on the schedule. */
  pump(): Promise<void> {
    if (this.pumping) {
      this.again = true
      return this.pumping
    }
    this.pumping = (async () => {
      do {
        this.again = false
        await this.claimAndRun().catch((e: Error) => this.log(`signals: claim failed: ${e.message}`))
      } while (this.again && !this.stopped)
    })().finally(() => {
      this.pumping = null
    })
    return this.pumping
  }

  /** Resolves when nothing is in flight (tests). */
  async idle(): Promise<void> {
    while (this.pumping || this.inFlight.size) {
      await this.pumping
      await Promise.all([...this.inFlight.values()])
    }
  }

  private async connect() {
    const session = new pg.Client({ connectionString: this.opts.databaseUrl })
    session.on('error', (e) => this.log(`signals: connection error: ${e.message}`))
    // A lost connection has lost its locks too: the next tick connects again (signals still in
    // flight finish; a second run of one is harmless: see processSignal).
    session.on('end', () => {
      if (this.session === session) this.session = null
    })
    await session.connect()
    if (this.stopped) return void (await session.end())
    await session.query(`LISTEN ${SIGNALS_CHANNEL}`)
    session.on('notification', (n) => {
      const accounts = this.accountList()
      if (accounts && n.payload && !accounts.includes(n.payload)) return
      void this.pump()
    })
    this.session = session
  }

  /** Runs `fn` with the connection once the previous user is done with it. */
  private withSession<T>(fn: (session: pg.Client) => Promise<T>): Promise<T> {
    const session = this.session
    if (!session) return Promise.reject(new Error('not connected'))
    const run = this.turn.then(() => fn(session))
    this.turn = run.catch(() => {})
    return run
  }

  private accountList(): string[] | null {
    const set = this.opts.accounts?.() ?? null
    return set ? [...set] : null
  }

  private async tick() {
    if (this.stopped) return
    if (!this.session) await this.connect().catch((e: Error) => this.log(`signals: could not connect: ${e.message}`))
    await this.recover().catch((e: Error) => this.log(`signals: recovery failed: ${e.message}`))
    await this.pump()
    if (!this.stopped) this.timer = setTimeout(() => (this.ticking = this.tick()), this.opts.sweepMs ?? 2000)
  }

  private async claimAndRun() {
    if (!this.session || this.stopped) return
    const room = (this.opts.concurrency ?? 8) - this.inFlight.size
    if (room <= 0) return
    const accounts = this.accountList()
    const claimed = await this.withSession((s) => claimSignals(s, { limit: room, accounts }))
    for (const c of claimed) {
      if (c.locked) this.run(c.id)
      else this.log(`signals: ${c.id} claimed, but its lock is held elsewhere; left for recovery`)
    }
    // Full batch: there may be more waiting.
    if (claimed.length === room) this.again = true
  }

  /** Signals left PROCESSING by a worker that is gone (their lock is free): finished here. */
  private async recover() {
    if (!this.session) return
    const accounts = this.accountList()
    for (const id of await this.withSession((s) => processingSignals(s, accounts))) {
      if (this.stopped || this.inFlight.has(id)) continue
      if ((this.opts.concurrency ?? 8) - this.inFlight.size <= 0) return
      if (await this.withSession((s) => adoptSignal(s, id))) {
        this.log(`signals: ${id} was left processing by a stopped worker; finishing it`)
        this.run(id)
      }
    }
  }

  private run(id: string) {
    const done = (async () => {
      try {
        const outcome = await processSignal({ db: this.db, signalId: id, actor: this.actor, exchangeFor: this.opts.exchangeFor, closeWaitMs: this.opts.closeWaitMs })
        if (outcome && outcome.status !== 'DONE') this.log(`signals: ${id} ${outcome.status.toLowerCase()}: ${outcome.reason}`)
      } catch (e) {
        // The outcome could not be written (the database went away): the signal stays PROCESSING
        // and, once this lock is gone, is adopted again; what it did is recognised then.
        this.log(`signals: ${id}: ${(e as Error).message}`)
      } finally {
        // Released after the outcome is committed, so nobody adopts a finished signal.
        if (this.session) await this.withSession((s) => releaseSignal(s, id)).catch(() => {})
        this.inFlight.delete(id)
      }
      // Its successors (same trader and symbol) may run now.
      if (!this.stopped) void this.pump()
    })()
    this.inFlight.set(id, done)
  }
}

import pg from 'pg'
import type { Db } from '@/lib/db/client'
import { pruneEquitySnapshots } from '@/lib/server/accounts/prune-equity-snapshots'
import { recordEquitySnapshots, type SnapshotReason } from '@/lib/server/accounts/record-equity-snapshots'
import { EVENTS_CHANNEL, type AppEvent } from '@/lib/server/events/notify'

export interface EquitySnapshotLoopOptions {
  /** For its own LISTEN connection: fills are announced on the events channel. */
  databaseUrl: string
  /** Every account's equity this often (EQUITY_SNAPSHOT_INTERVAL_MS). */
  intervalMs: number
  /** Fills arriving within this window are snapshotted together (an order's fills come in a burst). */
  fillSettleMs?: number
  /** Wait before listening again after the connection dropped. */
  reconnectMs?: number
  /** Old snapshots are thinned (pruneEquitySnapshots) after an interval pass at most this often. */
  pruneEveryMs?: number
}

const PRUNE_EVERY_MS = 3_600_000

/**
 * Keeps the equity curve: every account's equity at a fixed interval (reason INTERVAL), and the
 * equity of an account right after one of its positions had a fill (reason FILL); once an hour,
 * after an interval pass, snapshots older than a week are thinned (pruneEquitySnapshots). Fills are
 * noticed through the FILL position events every fill already NOTIFYs after its commit, so the
 * trading path does nothing extra; if the listening connection drops, it listens again, and the
 * interval keeps the curve going meanwhile. Passes never overlap.
 */
export class EquitySnapshotLoop {
  private timer: NodeJS.Timeout | null = null
  private settle: NodeJS.Timeout | null = null
  private reconnect: NodeJS.Timeout | null = null
  private listener: pg.Client | null = null
  private stopped = true
  private chain: Promise<void> = Promise.resolve()
  private readonly filledPositions = new Set<string>()
  private lastPruneAt = -Infinity

  constructor(
    private readonly db: Db,
    private readonly log: (m: string) => void,
    private readonly opts: EquitySnapshotLoopOptions,
  ) {}

  /** Starts the schedule (its first pass at once) and the listening; returns the loop. */
  start(): this {
    if (!this.stopped) return this
    this.stopped = false
    void this.listen()
    const tick = () => {
      void this.enqueue('INTERVAL').then(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.opts.intervalMs)
      })
    }
    tick()
    return this
  }

  async stop() {
    this.stopped = true
    for (const t of [this.timer, this.settle, this.reconnect]) if (t) clearTimeout(t)
    const l = this.listener
    this.listener = null
    await l?.end().catch(() => {})
    await this.chain
  }

  private async listen() {
    const client = new pg.Client({ connectionString: this.opts.databaseUrl })
    const lost = (why: string) => {
      if (this.listener !== client) return
      this.listener = null
      client.end().catch(() => {})
      if (this.stopped) return
      this.log(`equity snapshots: not hearing about fills (${why}); listening again shortly`)
      this.reconnect = setTimeout(() => void this.listen(), this.opts.reconnectMs ?? 5000)
    }
    client.on('error', (e) => lost(e.message))
    client.on('end', () => lost('connection closed'))
    client.on('notification', (n) => {
      let e: AppEvent
      try {
        e = JSON.parse(n.payload ?? '{}') as AppEvent
      } catch {
        return
      }
      if (e.kind !== 'position' || e.type !== 'FILL') return
      this.filledPositions.add(e.positionId)
      this.settle ??= setTimeout(() => {
        this.settle = null
        void this.enqueue('FILL')
      }, this.opts.fillSettleMs ?? 250)
    })
    this.listener = client
    try {
      await client.connect()
      await client.query(`LISTEN ${EVENTS_CHANNEL}`)
    } catch (e) {
      lost((e as Error).message)
    }
  }

  private enqueue(reason: SnapshotReason): Promise<void> {
    this.chain = this.chain.then(() => this.pass(reason))
    return this.chain
  }

  private async pass(reason: SnapshotReason) {
    if (this.stopped) return
    try {
      if (reason === 'INTERVAL') {
        await recordEquitySnapshots(this.db, { reason })
        await this.prune()
        return
      }
      const positionIds = [...this.filledPositions]
      this.filledPositions.clear()
      if (positionIds.length === 0) return
      const positions = await this.db.position.findMany({ where: { id: { in: positionIds } }, select: { accountId: true }, distinct: ['accountId'] })
      await recordEquitySnapshots(this.db, { reason, accountIds: positions.map((p) => p.accountId) })
    } catch (e) {
      this.log(`equity snapshots (${reason.toLowerCase()}) failed: ${(e as Error).message}`)
    }
  }

  /** In the pass chain, so it never runs beside a snapshot pass; a failure is tried again next time. */
  private async prune() {
    if (Date.now() - this.lastPruneAt < (this.opts.pruneEveryMs ?? PRUNE_EVERY_MS)) return
    this.lastPruneAt = Date.now()
    try {
      const deleted = await pruneEquitySnapshots(this.db)
      if (deleted) this.log(`equity snapshots: ${deleted} old snapshot(s) thinned out`)
    } catch (e) {
      this.log(`equity snapshots: thinning old ones failed: ${(e as Error).message}`)
    }
  }
}

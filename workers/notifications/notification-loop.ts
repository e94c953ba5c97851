import type { Db } from '@/lib/db/client'
import { enqueueChannelDeliveries, initialEventCursor, sendDueDeliveries } from '@/lib/server/notifications/deliver-notifications'

export interface NotificationLoopOptions {
  log: (m: string) => void
  intervalMs: number
  /** The HTTP client; tests may wrap the real one. */
  fetchImpl?: typeof fetch
  /** The clock for due times and backoff; tests move it forward instead of waiting. */
  now?: () => Date
  /** Per request; default 5 s. */
  timeoutMs?: number
}

export interface NotificationRunSummary {
  enqueued: number
  delivered: number
  retrying: number
  failed: number
}

/**
 * Outgoing notifications: each run turns new notifiable activity events into deliveries for
 * every channel, then sends the ones that are due. Runs never overlap; the next starts one
 * interval after the previous one started. Safe to run in several workers at once: enqueueing
 * is idempotent and every send is claimed first.
 */
export class NotificationLoop {
  private timer: NodeJS.Timeout | null = null
  private running: Promise<unknown> | null = null
  private stopped = false
  /** Per channel, the last event id scanned for deliveries; rebuilt from the database on start. */
  private readonly cursors = new Map<string, bigint>()
  private lastError: string | null = null

  constructor(
    private readonly db: Db,
    private readonly opts: NotificationLoopOptions,
  ) {}

  start() {
    this.stopped = false
    const loop = async () => {
      if (this.stopped) return
      const started = Date.now()
      this.running = this.runOnce().then(
        () => {
          if (this.lastError) this.opts.log('notifications: recovered')
          this.lastError = null
        },
        (e: unknown) => {
          const msg = (e as Error).message
          // Once per distinct failure, not every interval.
          if (msg !== this.lastError) this.opts.log(`notifications: run failed: ${msg}`)
          this.lastError = msg
        },
      )
      await this.running
      this.running = null
      if (!this.stopped) this.timer = setTimeout(loop, Math.max(0, this.opts.intervalMs - (Date.now() - started)))
    }
    void loop()
  }

  async stop() {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.running
  }

  /** One run: enqueue for every channel, then send what is due. Throws on a database failure. */
  async runOnce(): Promise<NotificationRunSummary> {
    const now = this.opts.now?.() ?? new Date()
    const channels = await this.db.notificationChannel.findMany({ select: { id: true, userId: true, enabled: true, createdAt: true } })
    for (const id of this.cursors.keys()) if (!channels.some((c) => c.id === id)) this.cursors.delete(id)
    let enqueued = 0
    for (const channel of channels) {
      const afterId = this.cursors.get(channel.id) ?? (await initialEventCursor(this.db, channel))
      const res = await enqueueChannelDeliveries({ db: this.db, channel, afterId, now })
      this.cursors.set(channel.id, res.cursor)
      enqueued += res.enqueued
    }
    const sent = await sendDueDeliveries({ db: this.db, now, fetchImpl: this.opts.fetchImpl, timeoutMs: this.opts.timeoutMs, log: this.opts.log })
    return { enqueued, ...sent }
  }
}

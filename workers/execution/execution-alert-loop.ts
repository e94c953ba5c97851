import type { Db } from '@/lib/db/client'
import { checkExecutionAlerts, type ExecutionAlertThresholds } from '@/lib/server/execution/check-execution-alerts'

/** Runs the execution alerts (stuck orders, unusual slippage, exchange error rate) on a schedule. */
export class ExecutionAlertLoop {
  private timer: NodeJS.Timeout | null = null
  private running: Promise<void> | null = null
  private stopped = true

  constructor(
    private readonly db: Db,
    private readonly log: (m: string) => void,
    private readonly opts: { thresholds: ExecutionAlertThresholds; intervalMs?: number },
  ) {}

  /** One pass; a call while one runs joins it. Never rejects. */
  runOnce(): Promise<void> {
    this.running ??= checkExecutionAlerts({ db: this.db, thresholds: this.opts.thresholds })
      .then((s) => {
        if (s.stuck || s.slippage || s.errorRate) this.log(`execution alerts: ${s.stuck} stuck order(s), ${s.slippage} slippage, ${s.errorRate} error rate`)
      })
      .catch((e: unknown) => this.log(`execution alerts: pass failed: ${(e as Error).message}`))
      .finally(() => {
        this.running = null
      })
    return this.running
  }

  /** A pass every interval (default 30 s). */
  start() {
    if (!this.stopped) return this
    this.stopped = false
    const next = () => {
      if (!this.stopped) this.timer = setTimeout(() => void this.runOnce().then(next), this.opts.intervalMs ?? 30_000)
    }
    next()
    return this
  }

  async stop() {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await this.running
  }
}

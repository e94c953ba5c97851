import type { Db } from '@/lib/db/client'
import { PeriodicPass } from '@/workers/periodic-pass'
import { checkExecutionAlerts, type ExecutionAlertThresholds } from '@/lib/server/execution/check-execution-alerts'

/** Runs the execution alerts (stuck orders, unusual slippage, exchange error rate) on a schedule. */
export class ExecutionAlertLoop {
  private readonly loop: PeriodicPass

  constructor(
    private readonly db: Db,
    private readonly log: (m: string) => void,
    private readonly opts: { thresholds: ExecutionAlertThresholds; intervalMs?: number },
  ) {
    this.loop = new PeriodicPass(() => this.pass(), {
      intervalMs: opts.intervalMs ?? 30_000,
      atStart: false,
      onError: (e) => this.log(`execution alerts: pass failed: ${e.message}`),
    })
  }

  /** One pass; a call while one runs joins it. Never rejects. */
  runOnce(): Promise<void> {
    return this.loop.runOnce()
  }

  /** A pass every interval (default 30 s). */
  start() {
    this.loop.start()
    return this
  }

  stop(): Promise<void> {
    return this.loop.stop()
  }

  private async pass() {
    const s = await checkExecutionAlerts({ db: this.db, thresholds: this.opts.thresholds })
    if (s.stuck || s.slippage || s.errorRate) this.log(`execution alerts: ${s.stuck} stuck order(s), ${s.slippage} slippage, ${s.errorRate} error rate`)
  }
}

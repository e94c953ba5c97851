/**
 * A pass run on a schedule, as the worker's loops need it: one at a time (a call while one runs
 * joins it), the next one an interval after the previous ended (a slow pass never piles up), and
 * never rejecting (a failure goes to `onError`, and the schedule goes on).
 */
export class PeriodicPass {
  private timer: NodeJS.Timeout | null = null
  private running: Promise<void> | null = null
  private stopped = true

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly o: {
      intervalMs: number
      onError: (e: Error) => void
      /** Run the first pass at start (default), or an interval from then (when the caller ran one itself). */
      atStart?: boolean
    },
  ) {}

  runOnce(): Promise<void> {
    this.running ??= this.pass()
      .catch((e: unknown) => this.o.onError(e instanceof Error ? e : new Error(String(e))))
      .finally(() => {
        this.running = null
      })
    return this.running
  }

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    const next = () => {
      if (!this.stopped) this.timer = setTimeout(() => void this.runOnce().then(next), this.o.intervalMs)
    }
    if (this.o.atStart === false) next()
    else void this.runOnce().then(next)
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await this.running
  }
}

/**
 * At most `limit` holders at once; others wait in arrival order. A waiter that is not admitted
 * within `maxWaitMs`, or that arrives when `maxQueue` are already waiting, is refused with
 * `SemaphoreTimeout` so the caller can answer "busy, retry later" instead of piling up work.
 */
export class SemaphoreTimeout extends Error {
  constructor(public waitedMs: number) {
    super('semaphore wait exceeded')
    this.name = 'SemaphoreTimeout'
  }
}

interface Waiter {
  admit(): void
  timer?: ReturnType<typeof setTimeout>
}

export class Semaphore {
  private active = 0
  private readonly queue: Waiter[] = []

  constructor(
    private readonly limit: number,
    private readonly maxWaitMs: number,
    private readonly maxQueue: number = Number.POSITIVE_INFINITY,
  ) {}

  get inUse(): number {
    return this.active
  }

  get waiting(): number {
    return this.queue.length
  }

  /** Runs `fn` while holding a slot; throws SemaphoreTimeout when no slot frees up in time. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire()
    try {
      return await fn()
    } finally {
      this.release()
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++
      return Promise.resolve()
    }
    if (this.queue.length >= this.maxQueue) return Promise.reject(new SemaphoreTimeout(0))
    return new Promise((resolve, reject) => {
      const started = Date.now()
      const waiter: Waiter = {
        admit: () => {
          if (waiter.timer) clearTimeout(waiter.timer)
          resolve()
        },
      }
      waiter.timer = setTimeout(() => {
        const i = this.queue.indexOf(waiter)
        if (i >= 0) this.queue.splice(i, 1)
        reject(new SemaphoreTimeout(Date.now() - started))
      }, this.maxWaitMs)
      this.queue.push(waiter)
    })
  }

  private release() {
    const next = this.queue.shift()
    // The slot passes straight to the next waiter, so `active` stays the same.
    if (next) next.admit()
    else this.active--
  }
}

/**
 * A short-lived answer cache in front of the market-data source: every viewer of a chart asks for
 * the same bars, and the exchange should be asked once per key per `ttlMs`, however many ask.
 * Concurrent misses share one request; a failure is kept for `errorTtlMs` (shorter), so an
 * exchange that is down is not hammered either. Bounded: the oldest entries go first.
 */
export class CandleCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T>; failed: boolean }>()

  constructor(
    private readonly opts: { ttlMs: number; errorTtlMs: number; maxEntries: number; clock?: () => number },
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = (this.opts.clock ?? Date.now)()
    const hit = this.entries.get(key)
    if (hit && now - hit.at < (hit.failed ? this.opts.errorTtlMs : this.opts.ttlMs)) return hit.value
    const entry = { at: now, value: load(), failed: false }
    entry.value.catch(() => {
      entry.failed = true
    })
    this.entries.delete(key) // re-inserted last: Map order is the eviction order
    this.entries.set(key, entry)
    while (this.entries.size > this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value!)
    return entry.value
  }

  clear(): void {
    this.entries.clear()
  }
}

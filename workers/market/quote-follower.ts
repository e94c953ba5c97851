import { dec } from '@/lib/domain/decimal'
import type { Quote } from '@/lib/market-data/quote'

/** A quote as the primary worker publishes it (after storing it) on the quotes channel. */
interface PublishedQuote {
  symbol: string
  bid: string
  ask: string
  last: string
  receivedAt: number
}

/**
 * Ticks for a worker that is not the primary one: the primary runs the market data feed, stores
 * each quote and publishes it over PostgreSQL; this hands the published quotes to the same tick
 * handler the primary runs for its own accounts. As in the market loop, quotes are handled one
 * batch at a time, the newest per symbol, and a quote older than one already handled is dropped.
 */
export class QuoteFollower {
  private readonly pending = new Map<string, Quote>()
  private readonly handled = new Map<string, number>()
  private draining: Promise<void> | null = null
  private stopped = false

  constructor(
    private readonly onQuote: (q: Quote) => Promise<void>,
    private readonly log: (m: string) => void,
  ) {}

  /** A quotes-channel payload (a JSON array); a malformed one is logged and ignored. */
  offer(payload: string) {
    if (this.stopped) return
    let rows: PublishedQuote[]
    try {
      rows = JSON.parse(payload) as PublishedQuote[]
    } catch {
      this.log('quote follower: a malformed quotes notification was ignored')
      return
    }
    for (const r of rows) {
      const newest = this.pending.get(r.symbol)?.receivedAt ?? this.handled.get(r.symbol) ?? -Infinity
      if (r.receivedAt < newest) continue
      this.pending.set(r.symbol, { symbol: r.symbol, bid: dec(r.bid), ask: dec(r.ask), last: dec(r.last), exchangeTs: r.receivedAt, receivedAt: r.receivedAt })
    }
    this.draining ??= this.drain().finally(() => {
      this.draining = null
    })
  }

  async stop() {
    this.stopped = true
    this.pending.clear()
    await this.draining
  }

  private async drain() {
    while (this.pending.size && !this.stopped) {
      const batch = [...this.pending.values()]
      this.pending.clear()
      for (const q of batch) {
        this.handled.set(q.symbol, q.receivedAt)
        try {
          await this.onQuote(q)
        } catch (e) {
          this.log(`tick handling for ${q.symbol} failed: ${(e as Error).message}`)
        }
      }
    }
  }
}

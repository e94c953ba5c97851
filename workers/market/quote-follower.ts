import { dec } from '@/lib/domain/decimal'
import type { Quote } from '@/lib/market-data/quote'

/** A quote as the primary worker publishes it (after storing it) on the quotes channel. */
interface PublishedQuote {
  symbol: string
  bid: string
  ask: string
  last: string
  /** By the publishing worker's clock. */
  receivedAt: number
  /** When its publisher began publishing, by the database's clock (see MarketLoop's publish). */
  epoch?: number
}

/** A quote's place in the order they are handled in: its publisher's epoch, then its time by that publisher's clock. */
type Stamp = { epoch: number; at: number }
const notOlder = (a: Stamp, b: Stamp) => (a.epoch !== b.epoch ? a.epoch > b.epoch : a.at >= b.at)

/**
 * Ticks for a worker that is not the primary one: the primary runs the market data feed, stores
 * each quote and publishes it over PostgreSQL; this hands the published quotes to the same tick
 * handler the primary runs for its own accounts. As in the market loop, quotes are handled one
 * batch at a time, the newest per symbol, and a quote older than one already handled is dropped.
 * Older within one publisher only, by its clock: a new primary (on a machine whose clock may be
 * behind the last one's) has a later epoch, so its quotes are taken at once, and a late quote of
 * the primary it replaced is dropped.
 */
export class QuoteFollower {
  private readonly pending = new Map<string, { quote: Quote; stamp: Stamp }>()
  private readonly handled = new Map<string, Stamp>()
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
      const stamp = { epoch: r.epoch ?? 0, at: r.receivedAt }
      const newest = this.pending.get(r.symbol)?.stamp ?? this.handled.get(r.symbol)
      if (newest && !notOlder(stamp, newest)) continue
      const quote = { symbol: r.symbol, bid: dec(r.bid), ask: dec(r.ask), last: dec(r.last), exchangeTs: r.receivedAt, receivedAt: r.receivedAt }
      this.pending.set(r.symbol, { quote, stamp })
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
      for (const { quote: q, stamp } of batch) {
        this.handled.set(q.symbol, stamp)
        try {
          await this.onQuote(q)
        } catch (e) {
          this.log(`tick handling for ${q.symbol} failed: ${(e as Error).message}`)
        }
      }
    }
  }
}

import type { Db } from '@/lib/db/client'
import type { MarketDataFeed } from '@/lib/market-data/feed'
import type { Quote } from '@/lib/market-data/quote'
import { saveMarketRules, saveQuotes } from '@/lib/market-data/quote-store'
import { QUOTES_CHANNEL } from '@/lib/server/events/notify'
import { redactUrlCredentials } from '@/lib/market-data/redact-credentials'

export interface FeedStatus {
  kind: string
  label: string
  error: string | null
}

/**
 * Polls the feed for every watched or held symbol, stores the quotes, publishes them, and
 * hands each to the tick handler. Ticks never overlap: the next starts one interval after
 * the previous one started, or at once if it took longer.
 */
export class MarketLoop {
  readonly status: FeedStatus
  private timer: NodeJS.Timeout | null = null
  private running: Promise<void> | null = null
  private stopped = false
  private readonly rulesLoaded = new Set<string>()
  private readonly unknown = new Map<string, string>()

  constructor(
    private readonly db: Db,
    readonly feed: MarketDataFeed,
    private readonly opts: { intervalMs: number; onQuote: (q: Quote) => Promise<void>; log: (m: string) => void },
  ) {
    this.status = { kind: feed.kind, label: feed.label, error: null }
  }

  start() {
    const loop = async () => {
      if (this.stopped) return
      const started = Date.now()
      this.running = this.tick()
      await this.running
      this.running = null
      if (!this.stopped) this.timer = setTimeout(loop, Math.max(0, this.opts.intervalMs - (Date.now() - started)))
    }
    void loop()
  }

  async stop() {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await this.running
    await this.feed.close()
  }

  async tick(): Promise<void> {
    try {
      const symbols = await this.activeSymbols()
      const ready = await this.ensureRules(symbols)
      if (ready.length === 0) {
        this.status.error = this.unknown.size ? [...this.unknown.values()].join('; ') : null
        return
      }
      const quotes = await this.feed.fetchQuotes(ready)
      await saveQuotes(this.db, quotes, this.feed.label)
      await this.publish(quotes)
      this.status.error = this.unknown.size ? [...this.unknown.values()].join('; ') : null
      for (const q of quotes) {
        try {
          await this.opts.onQuote(q)
        } catch (e) {
          this.opts.log(`tick handling for ${q.symbol} failed: ${(e as Error).message}`)
        }
      }
    } catch (e) {
      // Shown on the dashboard and in health: never the credentials of a MARKET_DATA_URL.
      const msg = redactUrlCredentials((e as Error).message)
      if (this.status.error !== msg) this.opts.log(`market data: ${msg}`)
      this.status.error = msg
    }
  }

  private async activeSymbols(): Promise<string[]> {
    const [traders, positions] = await Promise.all([
      this.db.trader.findMany({ select: { watchlist: true } }),
      this.db.position.findMany({ where: { status: { notIn: ['CLOSED', 'FAILED'] } }, select: { symbol: true }, distinct: ['symbol'] }),
    ])
    return [...new Set([...traders.flatMap((t) => t.watchlist), ...positions.map((p) => p.symbol)])].sort()
  }

  /** Loads each new symbol's rules once; a symbol the feed does not know is reported, not fatal. */
  private async ensureRules(symbols: string[]): Promise<string[]> {
    for (const s of symbols) {
      if (this.rulesLoaded.has(s) || this.unknown.has(s)) continue
      try {
        await saveMarketRules(this.db, await this.feed.marketRules(s), this.feed.label)
        this.rulesLoaded.add(s)
      } catch (e) {
        const err = e as Error & { retryable?: boolean }
        if (err.retryable === false) this.unknown.set(s, `${s}: ${err.message}`)
        else throw e
      }
    }
    return symbols.filter((s) => this.rulesLoaded.has(s))
  }

  private async publish(quotes: Quote[]) {
    // NOTIFY payloads are limited to 8000 bytes: send in chunks.
    const rows = quotes.map((q) => ({ symbol: q.symbol, bid: q.bid.toFixed(), ask: q.ask.toFixed(), last: q.last.toFixed(), receivedAt: q.receivedAt }))
    for (let i = 0; i < rows.length; i += 40) {
      await this.db.$executeRaw`SELECT pg_notify(${QUOTES_CHANNEL}, ${JSON.stringify(rows.slice(i, i + 40))})`
    }
  }
}

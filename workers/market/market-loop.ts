import type { Db } from '@/lib/db/client'
import { MarketDataError, type MarketDataFeed, type QuoteStream } from '@/lib/market-data/feed'
import { streamDown, type FeedMode } from '@/lib/market-data/feed-mode'
import type { Quote } from '@/lib/market-data/quote'
import { saveMarketRules, saveQuotes } from '@/lib/market-data/quote-store'
import { QUOTES_CHANNEL } from '@/lib/server/events/notify'
import { liveQuoteRows } from '@/lib/market-data/live-quote-rows'
import { redactUrlCredentials } from '@/lib/market-data/redact-credentials'

// A stream that stayed up this long counts as healthy again: its next failure retries quickly.
const STABLE_AFTER_MS = 30_000
/** How long a symbol whose quote failed on its own is left out of the batch before it is asked for again. */
export const FAILING_SYMBOL_RETRY_MS = 30_000

export interface FeedStatus {
  kind: string
  label: string
  error: string | null
  /** Which source delivers quotes now (see FeedMode). */
  mode: FeedMode
}

export interface MarketLoopOptions {
  intervalMs: number
  onQuote: (q: Quote) => Promise<void>
  log: (m: string) => void
  /**
   * While streaming, a symbol without a tick for this long is refreshed over REST: an exchange
   * streams changes only, and a quiet market's quote must not turn stale. Default 5 s.
   */
  quietRefreshMs?: number
  /** Delay before the stream is tried again after a failure: doubled per failure up to maxMs. */
  streamBackoff?: { baseMs: number; maxMs: number }
}

/**
 * Keeps the quote of every watched or held symbol current, stores it, publishes it and hands it
 * to the tick handler.
 *
 * Two sources feed one path. REST polling runs every interval; when the feed can stream, the
 * exchange pushes each change as it happens and polling shrinks to symbols that stayed quiet.
 * While the stream is down polling covers everything (at once when it drops, then on the
 * interval); it is tried again with backoff, and after every (re)subscription a REST snapshot is
 * taken before the stream counts as up, so nothing that changed meanwhile is missed.
 *
 * Quotes are handled one batch at a time, the newest per symbol: a symbol is never handled twice
 * at once, never out of order, and ticks that arrive while a batch is being handled are merged
 * into the next one (the newest wins) instead of queueing without bound. Order is by when a quote
 * was known: a REST answer counts from when it was asked for, so it never overwrites a tick that
 * arrived while it was in flight.
 */
export class MarketLoop {
  readonly status: FeedStatus
  private stopped = false
  private readonly stopSignal = new AbortController()
  private timer: NodeJS.Timeout | null = null
  private cycle: Promise<void> | null = null
  private cycleAgain = false
  private readonly rulesLoaded = new Set<string>()
  private readonly unknown = new Map<string, string>()
  /**
   * Symbols whose quotes failed on their own (a delisted market, a book empty on one side), each
   * with its error and when it is asked for again: left out of the batch until then, so one
   * symbol never keeps every other one's price from arriving. Shown in the status meanwhile.
   */
  private readonly failing = new Map<string, { message: string; until: number }>()
  private pollError: string | null = null
  private storeError: string | null = null
  /** When this loop first published, by the database's clock (see publish). */
  private epoch: number | undefined

  private seq = 0
  private readonly pending = new Map<string, { quote: Quote; seq: number }>()
  private readonly taken = new Map<string, number>()
  private readonly storedAt = new Map<string, number>()
  private waiters: (() => void)[] = []
  private draining = false
  private drained: Promise<void> = Promise.resolve()

  private readonly stream: QuoteStream | undefined
  private streamSymbols: string[] = []
  private streamKey = ''
  private streamAbort: AbortController | null = null
  private streamUp = false
  private streamReason = 'connecting'
  private streamTask: Promise<void> | null = null
  private wakeStream: (() => void) | null = null
  private recovery: Promise<void> = Promise.resolve()
  private readonly quietRefreshMs: number
  private readonly backoff: { baseMs: number; maxMs: number }

  constructor(
    private readonly db: Db,
    readonly feed: MarketDataFeed,
    private readonly opts: MarketLoopOptions,
  ) {
    this.stream = feed.stream
    this.quietRefreshMs = opts.quietRefreshMs ?? 5000
    this.backoff = opts.streamBackoff ?? { baseMs: 500, maxMs: 30_000 }
    this.status = { kind: feed.kind, label: feed.label, error: null, mode: 'polling' }
    this.refreshStatus()
  }

  start() {
    this.wake()
    if (this.stream) this.streamTask = this.runStream(this.stream)
  }

  async stop() {
    this.stopped = true
    this.stopSignal.abort()
    if (this.timer) clearTimeout(this.timer)
    this.streamAbort?.abort()
    this.wakeStream?.()
    await this.cycle
    await this.streamTask
    await this.recovery
    while (this.draining) await this.drained
    await this.feed.close()
  }

  /** Runs a poll cycle now (or right after the one running), then every interval. */
  private wake() {
    if (this.stopped) return
    if (this.cycle) {
      this.cycleAgain = true
      return
    }
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = null
    }
    const started = Date.now()
    this.cycle = this.pollCycle().finally(() => {
      this.cycle = null
      if (this.stopped) return
      if (this.cycleAgain) {
        this.cycleAgain = false
        this.wake()
        return
      }
      this.timer = setTimeout(() => {
        this.timer = null
        this.wake()
      }, Math.max(0, this.opts.intervalMs - (Date.now() - started)))
    })
  }

  private async pollCycle(): Promise<void> {
    try {
      const symbols = await this.activeSymbols()
      const ready = await this.ensureRules(symbols)
      this.watchSymbols(ready)
      const now = Date.now()
      const due = this.streamUp ? ready.filter((s) => now - (this.storedAt.get(s) ?? 0) >= this.quietRefreshMs) : ready
      if (due.length > 0) await this.poll(due)
      this.pollError = null
    } catch (e) {
      // Shown on the dashboard and in health: never the credentials of a MARKET_DATA_URL.
      const msg = redactUrlCredentials((e as Error).message)
      if (this.pollError !== msg) this.opts.log(`market data: ${msg}`)
      this.pollError = msg
    }
    this.refreshStatus()
  }

  private async poll(symbols: string[]): Promise<void> {
    const now = Date.now()
    for (const s of this.failing.keys()) if (!symbols.includes(s)) this.failing.delete(s)
    let left = symbols.filter((s) => (this.failing.get(s)?.until ?? 0) <= now)
    while (left.length > 0) {
      // What this answer can be newer than: the ticks that arrived before it was asked for.
      const seq = ++this.seq
      try {
        const quotes = await this.feed.fetchQuotes(left)
        for (const s of left) this.failing.delete(s)
        await this.offer(quotes, seq)
        return
      } catch (e) {
        // One symbol's own failure, of several: the others are asked for again without it. (An
        // exchange-wide one, a 5xx or a timeout, fails the poll as before.)
        const bad = e instanceof MarketDataError && e.symbolOnly && e.symbol && left.includes(e.symbol) && left.length > 1 ? e.symbol : null
        if (!bad) throw e
        const why = redactUrlCredentials((e as Error).message)
        this.failing.set(bad, { message: `${bad}: ${why}`, until: now + FAILING_SYMBOL_RETRY_MS })
        this.opts.log(`market data: ${bad} left out for ${FAILING_SYMBOL_RETRY_MS / 1000} s (${why}); the other symbols go on`)
        // Shown at once, before the other symbols' quotes are stored: not only when the cycle ends.
        this.refreshStatus()
        left = left.filter((s) => s !== bad)
      }
    }
  }

  // ---- one path for every quote --------------------------------------------------------------

  /** Queues the quotes unless a newer one of the same symbol is known; resolves once they are handled. */
  private offer(quotes: Quote[], seq: number): Promise<void> {
    for (const q of quotes) {
      const newest = Math.max(this.taken.get(q.symbol) ?? 0, this.pending.get(q.symbol)?.seq ?? 0)
      if (seq < newest) continue
      this.pending.set(q.symbol, { quote: q, seq })
    }
    const handled = new Promise<void>((resolve) => this.waiters.push(resolve))
    if (!this.draining) {
      this.draining = true
      this.drained = this.drain()
    }
    return handled
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.size > 0 || this.waiters.length > 0) {
        const waiters = this.waiters.splice(0)
        const batch = [...this.pending.values()]
        this.pending.clear()
        for (const b of batch) this.taken.set(b.quote.symbol, b.seq)
        if (batch.length > 0) await this.handle(batch.map((b) => b.quote))
        for (const w of waiters) w()
      }
    } finally {
      // Cleared in the same synchronous step as the last emptiness check: an offer made after it
      // starts a new drain, one made before it was taken by this one.
      this.draining = false
    }
  }

  private async handle(quotes: Quote[]): Promise<void> {
    try {
      await saveQuotes(this.db, quotes, this.feed.label)
      this.storeError = null
    } catch (e) {
      // Not stored, so not acted on: exits fill against the stored quote.
      const msg = redactUrlCredentials((e as Error).message)
      if (this.storeError !== msg) this.opts.log(`market data: storing quotes failed: ${msg}`)
      this.storeError = msg
      this.refreshStatus()
      return
    }
    const at = Date.now()
    for (const q of quotes) this.storedAt.set(q.symbol, at)
    // The web's live prices go out beside the tick handling, not before it: an exit does not wait
    // for a notification that only screens read.
    const published = this.publish(quotes).catch((e: unknown) => this.opts.log(`market data: publishing quotes failed: ${(e as Error).message}`))
    for (const q of quotes) {
      try {
        await this.opts.onQuote(q)
      } catch (e) {
        this.opts.log(`tick handling for ${q.symbol} failed: ${(e as Error).message}`)
      }
    }
    await published
  }

  // ---- the stream ----------------------------------------------------------------------------

  /** Subscribes the stream to the ready symbols when they changed (the running watch is ended). */
  private watchSymbols(ready: string[]) {
    if (!this.stream) return
    const key = ready.join(',')
    if (key === this.streamKey) return
    this.streamKey = key
    this.streamSymbols = ready
    if (this.streamAbort) {
      this.streamAbort.abort()
      this.streamUp = false
      this.streamReason = 'resubscribing'
      this.opts.log(`market data: now watching ${ready.length} symbol(s); resubscribing the stream`)
    }
    this.wakeStream?.()
  }

  private async runStream(stream: QuoteStream): Promise<void> {
    let failures = 0
    let subscribedAt = 0
    while (!this.stopped) {
      const symbols = this.streamSymbols
      if (symbols.length === 0) {
        this.streamReason = 'nothing to watch yet'
        this.refreshStatus()
        await new Promise<void>((resolve) => (this.wakeStream = resolve))
        this.wakeStream = null
        continue
      }
      const run = new AbortController()
      this.streamAbort = run
      let retryIn = 0
      try {
        await stream.watch(
          symbols,
          {
            onSubscribed: () => {
              subscribedAt = Date.now()
              this.recovery = this.recover(stream, symbols, run.signal)
            },
            onQuote: (q) => void this.offer([q], ++this.seq),
          },
          run.signal,
        )
        // Resolved: ended on purpose (other symbols, or stopping); subscribe again at once.
      } catch (e) {
        // The backoff starts over only after a connection that held: one that drops right after
        // subscribing keeps backing off (each reconnect costs a REST snapshot).
        failures = subscribedAt > 0 && Date.now() - subscribedAt >= STABLE_AFTER_MS ? 1 : failures + 1
        subscribedAt = 0
        run.abort() // a snapshot still in flight for this run must not mark the stream up
        this.streamLost(redactUrlCredentials((e as Error).message))
        retryIn = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** (failures - 1))
      } finally {
        run.abort()
        if (this.streamAbort === run) this.streamAbort = null
      }
      if (retryIn > 0) await sleep(retryIn, this.stopSignal.signal)
    }
  }

  /** After every (re)subscription: a REST snapshot first, then the stream counts as up. */
  private async recover(stream: QuoteStream, symbols: string[], signal: AbortSignal): Promise<void> {
    let snapshot = 'REST snapshot taken'
    try {
      await this.poll(symbols)
    } catch (e) {
      snapshot = `REST snapshot failed: ${redactUrlCredentials((e as Error).message)}`
    }
    if (signal.aborted || this.stopped) return
    this.streamUp = true
    this.opts.log(`market data: streaming ${symbols.length} symbol(s) from ${stream.host} (${snapshot})`)
    this.refreshStatus()
  }

  private streamLost(reason: string) {
    const wasUp = this.streamUp
    this.streamUp = false
    if (wasUp || this.streamReason !== reason) this.opts.log(`market data: stream down (${reason}); polling every ${this.opts.intervalMs} ms`)
    this.streamReason = reason
    this.refreshStatus()
    // Polling takes over now, not at the next interval.
    if (wasUp) this.wake()
  }

  private refreshStatus() {
    const failing = [...this.failing.values()].map((f) => f.message)
    const errors = [this.pollError, this.storeError, ...this.unknown.values(), ...failing].filter((e): e is string => e !== null)
    this.status.error = errors.length > 0 ? errors.join('; ') : null
    this.status.mode = !this.stream ? 'polling' : this.streamUp ? 'stream' : streamDown(this.streamReason)
  }

  // ---- symbols -------------------------------------------------------------------------------

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
    // When this loop began publishing, by the database's clock: followers order quotes by it first
    // and by each publisher's own clock only within it (see QuoteFollower).
    this.epoch ??= (await this.db.$queryRaw<{ epoch: number }[]>`SELECT (extract(epoch from clock_timestamp()) * 1000)::float8 AS epoch`)[0]!.epoch
    const epoch = this.epoch
    // NOTIFY payloads are limited to 8000 bytes: send in chunks.
    const rows = liveQuoteRows(quotes).map((r) => ({ ...r, epoch }))
    for (let i = 0; i < rows.length; i += 40) {
      await this.db.$executeRaw`SELECT pg_notify(${QUOTES_CHANNEL}, ${JSON.stringify(rows.slice(i, i + 40))})`
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

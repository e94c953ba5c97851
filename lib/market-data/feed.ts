import type { Candle, Timeframe } from '@/lib/domain/market/candle'
import type { MarketRules } from '@/lib/domain/market/precision'
import type { VolumeTicker } from '@/lib/domain/market/top-by-volume'
import type { Quote } from '@/lib/market-data/quote'

/**
 * The one port every price source implements (live exchange, random walk, candle replay).
 * Downstream code polls `fetchQuotes` and never asks which kind it is talking to, except to show
 * `label` so a user always knows whether prices are real.
 */
export interface MarketDataFeed {
  readonly kind: 'exchange' | 'simulated'
  /** Shown in the UI, e.g. 'Binance (api.binance.com)' or 'Simulated: random walk (seed 42)'. */
  readonly label: string
  marketRules(symbol: string): Promise<MarketRules>
  listSymbols(): Promise<string[]>
  /** One call per poll; returns one quote per requested symbol, in the requested order. */
  fetchQuotes(symbols: string[]): Promise<Quote[]>
  /** Recent bars, oldest first, the last one possibly still forming; at most `limit`. */
  fetchCandles(symbol: string, timeframe: Timeframe, limit: number): Promise<Candle[]>
  /**
   * Every market's 24 h ticker (one request), for ranking by volume (the top-N universe). Absent
   * where there are no real volumes to rank (simulated prices).
   */
  fetchDailyVolumes?(): Promise<VolumeTicker[]>
  /** Present when the source can also push quotes as they change (an exchange's websocket). */
  readonly stream?: QuoteStream
  close(): Promise<void>
}

export interface QuoteStreamHandlers {
  /**
   * The subscription is in place (the exchange confirmed it): every change from here on arrives
   * through onQuote, so a REST snapshot taken now leaves no gap.
   */
  onSubscribed(): void
  /** Called synchronously as ticks arrive, oldest first; it must not block. */
  onQuote(quote: Quote): void
}

/**
 * Quotes pushed by the exchange. One subscription at a time; it never reconnects by itself:
 * the caller decides when to try again and takes a REST snapshot after each (re)subscription.
 */
export interface QuoteStream {
  /** Where it connects, e.g. 'stream.binance.com:9443'. */
  readonly host: string
  /**
   * Watches `symbols` until `signal` aborts (then resolves) or the connection fails (then rejects
   * with a retryable MarketDataError saying why).
   */
  watch(symbols: string[], handlers: QuoteStreamHandlers, signal: AbortSignal): Promise<void>
  /** Ends a running watch (it resolves) and closes the connections. */
  close(): Promise<void>
}

/**
 * A feed failure, already classified: `retryable` is true for network trouble, timeouts and
 * exchange-side 5xx (try again with backoff), false for requests that can never succeed as sent
 * (unknown symbol, bad request, bad configuration).
 */
export class MarketDataError extends Error {
  /**
   * The failure is the symbol's own, not the exchange's: an unknown or delisted market (also
   * every non-retryable error naming a symbol), or a book empty on one side (a halted market).
   */
  readonly symbolOnly: boolean

  constructor(
    message: string,
    public retryable: boolean,
    public symbol?: string,
    options?: { cause?: unknown; symbolOnly?: boolean },
  ) {
    super(message, options)
    this.name = 'MarketDataError'
    this.symbolOnly = symbol !== undefined && (options?.symbolOnly === true || !retryable)
  }
}

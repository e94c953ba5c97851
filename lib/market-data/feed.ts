import type { Candle, Timeframe } from '@/lib/domain/market/candle'
import type { MarketRules } from '@/lib/domain/market/precision'
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
  close(): Promise<void>
}

/**
 * A feed failure, already classified: `retryable` is true for network trouble, timeouts and
 * exchange-side 5xx (try again with backoff), false for requests that can never succeed as sent
 * (unknown symbol, bad request, bad configuration).
 */
export class MarketDataError extends Error {
  constructor(
    message: string,
    public retryable: boolean,
    public symbol?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'MarketDataError'
  }
}

import type { Db } from '@/lib/db/client'
import type { Candle, Timeframe } from '@/lib/domain/market/candle'
import { MarketDataError } from '@/lib/market-data/feed'
import { redactUrlCredentials } from '@/lib/market-data/redact-credentials'
import { AppError, notFound } from '@/lib/server/errors/app-error'
import { CandleCache } from './candle-cache'
import { webMarketFeed } from './web-market-feed'

export interface CandleList {
  symbol: string
  timeframe: Timeframe
  /** The feed's label, e.g. 'Binance (api.binance.com)'. */
  source: string
  candles: { openTime: number; open: string; high: string; low: string; close: string; volume: string }[]
}

/** Many viewers of one chart cost one exchange request per key every few seconds. */
export const CANDLE_CACHE_TTL_MS = 10_000
const cache = new CandleCache<{ source: string; candles: Candle[] }>({ ttlMs: CANDLE_CACHE_TTL_MS, errorTtlMs: 3_000, maxEntries: 500 })

/**
 * Recent bars of a market from the market-data source the settings name (oldest first, the last
 * one possibly still forming). Errors of the source become API errors: an unknown market 404, a
 * source that cannot answer now 503 with Retry-After.
 */
export async function loadCandles(opts: { db: Db; symbol: string; timeframe: Timeframe; limit: number }): Promise<CandleList> {
  const { symbol, timeframe, limit } = opts
  let result: { source: string; candles: Candle[] }
  try {
    const feed = await webMarketFeed(opts.db)
    result = await cache.get(`${feed.label}|${symbol}|${timeframe}|${limit}`, async () => ({ source: feed.label, candles: await feed.fetchCandles(symbol, timeframe, limit) }))
  } catch (e) {
    throw candleError(e, symbol)
  }
  return {
    symbol,
    timeframe,
    source: result.source,
    candles: result.candles.map((c) => ({
      openTime: c.openTime,
      open: c.open.toFixed(),
      high: c.high.toFixed(),
      low: c.low.toFixed(),
      close: c.close.toFixed(),
      volume: c.volume.toFixed(),
    })),
  }
}

function candleError(e: unknown, symbol: string): Error {
  if (!(e instanceof MarketDataError)) return e as Error
  const message = redactUrlCredentials(e.message)
  // Both feeds word a symbol they do not list this way (ccxt-feed, candle-replay-feed).
  if (!e.retryable && /^Unknown symbol/.test(e.message)) return notFound(`market ${symbol}`)
  // Retryable: network, timeout, 5xx, rate limit. Otherwise the source refused for a reason a
  // retry soon will not change (configuration, an unsupported timeframe): ask for a longer wait.
  return new AppError('MARKET_UNAVAILABLE', `market data unavailable: ${message}`, 503, undefined, e.retryable ? 5 : 60)
}

/** Forgets cached answers (tests). */
export function clearCandleCache(): void {
  cache.clear()
}

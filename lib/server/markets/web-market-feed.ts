import { env } from '@/lib/config/env'
import type { Db } from '@/lib/db/client'
import { createFeed, type FeedConfig } from '@/lib/market-data/create-feed'
import type { MarketDataFeed } from '@/lib/market-data/feed'
import { conflict } from '@/lib/server/errors/app-error'
// The worker's rule for which feed the settings name; the web must follow the same one.
import { feedConfig } from '@/workers/market/feed-settings'

// One feed per process for the current settings (Next's dev server reloads modules: globalThis).
const holder = globalThis as unknown as { __webMarketFeed?: { key: string; feed: MarketDataFeed } }

/**
 * The web process's own market-data feed, built from the same settings as the worker's, for
 * reads the worker does not publish (candles). Only an exchange feed can serve the web: a
 * simulated feed's prices are a walk that lives inside the worker process, and a second walk
 * here would draw a different market than the one positions trade in (409).
 */
export async function webMarketFeed(db: Db): Promise<MarketDataFeed> {
  const config: FeedConfig = await feedConfig(db, env())
  if (config.kind !== 'exchange') {
    throw conflict('the market data source is simulated: its prices are generated inside the worker, so there are no candles to chart; choose an exchange source in Settings')
  }
  const key = JSON.stringify([config.kind, config.exchangeId, config.marketDataUrl])
  const current = holder.__webMarketFeed
  if (current?.key === key) return current.feed
  const feed = createFeed(config)
  holder.__webMarketFeed = { key, feed }
  if (current) void current.feed.close().catch(() => {})
  return feed
}

/** Closes the feed (tests; a settings change replaces it by itself). */
export async function closeWebMarketFeed(): Promise<void> {
  const current = holder.__webMarketFeed
  delete holder.__webMarketFeed
  await current?.feed.close()
}

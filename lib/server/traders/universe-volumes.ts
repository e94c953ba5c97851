import type { Db } from '@/lib/db/client'
import type { VolumeTicker } from '@/lib/domain/market/top-by-volume'
import type { MarketDataFeed } from '@/lib/market-data/feed'
import { exchangeForAccount, type AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { VENUE_LABEL } from '@/lib/server/exchange/venue-adapter'

/** The 24 h tickers a universe is ranked on, and where they come from (for messages). */
export type DailyVolumes = { ok: true; source: string; tickers: VolumeTicker[] } | { ok: false; source: string; error: string }

/**
 * Where a trader's top-N universe is ranked: on the exchange its account trades on. A CCXT
 * account's are its own venue's tickers (Binance or Coinbase, in the account's mode, through the
 * account's adapter); a paper account fills at the market-data feed's prices, so the feed's. A
 * failure is returned with the reason, for the trader to show; nothing throws.
 */
export async function readDailyVolumes(db: Db, account: AccountRef, feed: MarketDataFeed): Promise<DailyVolumes> {
  const paper = account.kind === 'PAPER'
  const source = paper ? feed.label : account.venue ? VENUE_LABEL[account.venue] : `exchange account ${account.id}`
  const from: { fetchDailyVolumes?(): Promise<VolumeTicker[]> } = paper ? feed : exchangeForAccount(db, account)
  if (!from.fetchDailyVolumes) {
    const error = paper
      ? `${source} has no 24 h volumes to rank: a top-N universe needs exchange market data (Settings → Market data); the watchlist is kept`
      : `${source} cannot list 24 h volumes here; the watchlist is kept`
    return { ok: false, source, error }
  }
  try {
    return { ok: true, source, tickers: await from.fetchDailyVolumes() }
  } catch (e) {
    return { ok: false, source, error: `cannot read 24 h volumes: ${(e as Error).message}; the watchlist is kept` }
  }
}

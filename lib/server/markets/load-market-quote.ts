import type { SqlTx } from '@/lib/db/sql-tx'
import { isStale, loadQuote, quoteAgeMs } from '@/lib/market-data/quote-store'
import { AppError, APP_ERROR_STATUS } from '@/lib/server/errors/app-error'

export interface MarketQuoteView {
  symbol: string
  bid: string
  ask: string
  last: string
  source: string
  exchangeTs: string
  receivedAt: string
  ageMs: number
  staleAfterMs: number
  stale: boolean
}

/**
 * The last price the worker stored for `symbol`: the one every order is checked against, so an
 * API client sees what an open would be judged on, stale or not. 404 when nothing is priced.
 */
export async function loadMarketQuote(db: SqlTx, symbol: string, staleAfterMs: number, now = Date.now()): Promise<MarketQuoteView> {
  const q = await loadQuote(db, symbol)
  if (!q) {
    throw new AppError(
      'NOT_FOUND',
      `no price for ${symbol}: the worker prices the symbols on traders' watchlists and those of open positions; add it to a watchlist`,
      APP_ERROR_STATUS.NOT_FOUND,
    )
  }
  const ageMs = Math.max(0, quoteAgeMs(q, now))
  return {
    symbol: q.symbol,
    bid: q.bid.toFixed(),
    ask: q.ask.toFixed(),
    last: q.last.toFixed(),
    source: q.source,
    exchangeTs: q.exchangeTs.toISOString(),
    receivedAt: q.receivedAt.toISOString(),
    ageMs,
    staleAfterMs,
    stale: isStale(ageMs, staleAfterMs),
  }
}

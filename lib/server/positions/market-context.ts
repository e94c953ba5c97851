import type { DbTx } from '@/lib/db/client'
import { env } from '@/lib/config/env'
import type { MarketRules } from '@/lib/domain/market/precision'
import { AppError } from '@/lib/server/errors/app-error'
import { loadMarketRules, loadQuote, quoteAgeMs, type StoredQuote } from '@/lib/market-data/quote-store'

/** A fresh quote and the market's rules, or a 503 that says why nothing can trade now. */
export async function freshMarket(db: DbTx, symbol: string): Promise<{ quote: StoredQuote; rules: MarketRules }> {
  const [quote, rules] = await Promise.all([loadQuote(db, symbol), loadMarketRules(db, symbol)])
  if (!quote || !rules) {
    throw new AppError('MARKET_UNAVAILABLE', `no market data for ${symbol} yet: is the worker running and the market-data feed reachable?`)
  }
  const age = quoteAgeMs(quote)
  const limit = env().MARKET_STALE_AFTER_MS
  if (age > limit) {
    throw new AppError(
      'MARKET_UNAVAILABLE',
      `the price of ${symbol} is stale (${Math.round(age / 1000)} s old, limit ${Math.round(limit / 1000)} s): nothing trades on stale prices`,
    )
  }
  return { quote, rules }
}

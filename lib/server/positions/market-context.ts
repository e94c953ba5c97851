import type { SqlTx } from '@/lib/db/sql-tx'
import { env } from '@/lib/config/env'
import type { MarketRules } from '@/lib/domain/market/precision'
import { AppError } from '@/lib/server/errors/app-error'
import { isStale, loadMarketRules, loadQuote, quoteAgeMs, type StoredQuote } from '@/lib/market-data/quote-store'

export interface MarketContext {
  quote: StoredQuote
  rules: MarketRules
  /** Set only when `allowStale` let an old quote through: how old it was. */
  staleAgeMs?: number
}

/**
 * A fresh quote and the market's rules, or a 503 that says why nothing can trade now.
 * With `allowStale` (panic closes: getting flat matters more than the price) an old quote
 * is returned with its age instead; having no quote or rules at all is still a 503.
 */
export async function freshMarket(db: SqlTx, symbol: string, opts: { allowStale?: boolean } = {}): Promise<MarketContext> {
  const [quote, rules] = await Promise.all([freshQuote(db, symbol, opts), loadMarketRules(db, symbol)])
  if (!rules) throw unavailable(symbol)
  return { ...quote, rules }
}

/** freshMarket without the rules, for a caller that takes them from the exchange itself. */
export async function freshQuote(db: SqlTx, symbol: string, opts: { allowStale?: boolean } = {}): Promise<Omit<MarketContext, 'rules'>> {
  return checkFresh(symbol, await loadQuote(db, symbol), opts)
}

/** freshQuote for a quote already read (with something else, in one statement). */
export function checkFresh(symbol: string, quote: StoredQuote | null, opts: { allowStale?: boolean } = {}): Omit<MarketContext, 'rules'> {
  if (!quote) throw unavailable(symbol)
  const age = quoteAgeMs(quote)
  const limit = env().MARKET_STALE_AFTER_MS
  if (isStale(age, limit)) {
    if (opts.allowStale) return { quote, staleAgeMs: age }
    throw new AppError(
      'MARKET_UNAVAILABLE',
      `the price of ${symbol} is stale (${Math.round(age / 1000)} s old, limit ${Math.round(limit / 1000)} s): nothing trades on stale prices`,
    )
  }
  return { quote }
}

function unavailable(symbol: string) {
  return new AppError('MARKET_UNAVAILABLE', `no market data for ${symbol} yet: is the worker running and the market-data feed reachable?`)
}

import type { DbTx } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { ZERO, type Decimal } from '@/lib/domain/decimal'
import { loadQuotes, type StoredQuote } from '@/lib/market-data/quote-store'

export interface BalanceValuation {
  /** Quote balance plus every other asset at its exit price (bid for holdings, ask for shorts). */
  equity: Decimal
  /** True when some non-zero asset has no price, so `equity` is incomplete. */
  unpriced: boolean
}

interface PricedMarket {
  base: string
  quote: string
  symbol: string
}

/** Values an account's balances in its quote currency at the current marks. */
export function valueBalances(
  balances: readonly { asset: string; amount: { toString(): string } }[],
  quoteCurrency: string,
  markets: readonly PricedMarket[],
  quotes: ReadonlyMap<string, Pick<StoredQuote, 'bid' | 'ask'>>,
): BalanceValuation {
  let equity = ZERO
  let unpriced = false
  for (const b of balances) {
    const amount = fromDb(b.amount)
    if (b.asset === quoteCurrency) equity = equity.plus(amount)
    else if (!amount.isZero()) {
      const m = markets.find((x) => x.base === b.asset && x.quote === quoteCurrency)
      const q = m && quotes.get(m.symbol)
      if (q) equity = equity.plus(amount.mul(amount.gt(0) ? q.bid : q.ask))
      else unpriced = true
    }
  }
  return { equity, unpriced }
}

/**
 * The markets (and their latest quotes) that can value these accounts' balances: each held asset
 * against the accounts' quote currencies. Not every market's: a top-N universe brings hundreds,
 * each quote with its order book.
 */
export async function valuationMarkets(db: DbTx, accounts: readonly { quoteCurrency: string; balances: readonly { asset: string }[] }[]) {
  const assets = [...new Set(accounts.flatMap((a) => a.balances.map((b) => b.asset)))]
  const currencies = [...new Set(accounts.map((a) => a.quoteCurrency))]
  const markets = await db.marketRule.findMany({ where: { base: { in: assets }, quote: { in: currencies } }, select: { base: true, quote: true, symbol: true } })
  const quotes = new Map((await loadQuotes(db, markets.map((m) => m.symbol))).map((q) => [q.symbol, q]))
  return { markets, quotes }
}

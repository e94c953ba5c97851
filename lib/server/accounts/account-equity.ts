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

/** Equity of one account now, from its stored balances and the latest quotes. */
export async function accountEquity(tx: DbTx, accountId: string): Promise<BalanceValuation> {
  const account = await tx.exchangeAccount.findUniqueOrThrow({ where: { id: accountId }, include: { balances: true } })
  const [markets, quotes] = await Promise.all([tx.marketRule.findMany(), loadQuotes(tx)])
  return valueBalances(account.balances, account.quoteCurrency, markets, new Map(quotes.map((q) => [q.symbol, q])))
}

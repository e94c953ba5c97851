import type { DbTx } from '@/lib/db/client'
import { notFound } from '@/lib/server/errors/app-error'
import { EXCHANGE_ACCOUNT_VIEW_SELECT, toExchangeAccountView, type ExchangeAccountView } from './exchange-account-view'

/** The user's exchange accounts (never the per-trader paper accounts), oldest first. */
export async function listExchangeAccounts(opts: { db: DbTx; userId: string }): Promise<ExchangeAccountView[]> {
  const rows = await opts.db.exchangeAccount.findMany({
    where: { userId: opts.userId, kind: 'CCXT' },
    select: EXCHANGE_ACCOUNT_VIEW_SELECT,
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  })
  return rows.map(toExchangeAccountView)
}

/** One of the user's exchange accounts; NOT_FOUND for anyone else's and for paper accounts. */
export async function getExchangeAccount(opts: { db: DbTx; userId: string; accountId: string }): Promise<ExchangeAccountView> {
  const row = await opts.db.exchangeAccount.findFirst({ where: { id: opts.accountId, userId: opts.userId, kind: 'CCXT' }, select: EXCHANGE_ACCOUNT_VIEW_SELECT })
  if (!row) throw notFound('exchange account')
  return toExchangeAccountView(row)
}

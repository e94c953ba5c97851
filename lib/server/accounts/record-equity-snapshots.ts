import type { DbTx } from '@/lib/db/client'
import { toDb } from '@/lib/db/decimal-columns'
import { valuationMarkets, valueBalances } from './account-equity'

export type SnapshotReason = 'INTERVAL' | 'FILL'

/**
 * Records the equity of accounts now (balances at the current marks, see valueBalances), one
 * EquitySnapshot row each: every account, or the ones named. An exchange account whose balances
 * were never read is left out (its equity would read as zero). The markets and quotes that value
 * them are read once for all accounts. Returns how many rows were written.
 */
export async function recordEquitySnapshots(db: DbTx, opts: { reason: SnapshotReason; accountIds?: readonly string[]; at?: Date }): Promise<number> {
  const accounts = await db.exchangeAccount.findMany({
    where: {
      ...(opts.accountIds ? { id: { in: [...opts.accountIds] } } : {}),
      OR: [{ kind: 'PAPER' }, { reconciledAt: { not: null } }],
    },
    select: { id: true, quoteCurrency: true, balances: { select: { asset: true, amount: true } } },
  })
  if (accounts.length === 0) return 0
  const { markets, quotes } = await valuationMarkets(db, accounts)
  const at = opts.at ?? new Date()
  const rows = accounts.map((a) => {
    const v = valueBalances(a.balances, a.quoteCurrency, markets, quotes)
    return { accountId: a.id, at, equity: toDb(v.equity), unpriced: v.unpriced, reason: opts.reason }
  })
  await db.equitySnapshot.createMany({ data: rows })
  return rows.length
}

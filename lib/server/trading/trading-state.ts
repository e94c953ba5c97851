import type { DbTx } from '@/lib/db/client'

/** Whether each of the user's accounts and traders may open positions, and if not, since when and why. */
export async function loadTradingState(db: DbTx, userId: string) {
  const [accounts, traders] = await Promise.all([
    db.exchangeAccount.findMany({ where: { userId }, orderBy: { createdAt: 'asc' }, select: { id: true, name: true, halted: true, haltedReason: true, haltedAt: true } }),
    db.trader.findMany({ where: { userId }, orderBy: { createdAt: 'asc' }, select: { id: true, name: true, accountId: true, status: true, statusReason: true, statusCause: true, statusChangedAt: true } }),
  ])
  return {
    accounts: accounts.map((a) => ({ ...a, haltedAt: a.haltedAt?.toISOString() ?? null })),
    traders: traders.map((t) => ({ ...t, statusChangedAt: t.statusChangedAt?.toISOString() ?? null })),
  }
}

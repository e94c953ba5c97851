import type { DbTx } from '@/lib/db/client'
import type { AccountMode } from '@/lib/generated/prisma/enums'

/** The mode of each of the user's traders' accounts, by trader id: what the pages badge positions with. */
export async function traderModes(db: DbTx, userId: string): Promise<Record<string, AccountMode>> {
  const rows = await db.trader.findMany({ where: { userId }, select: { id: true, account: { select: { mode: true } } } })
  return Object.fromEntries(rows.map((r) => [r.id, r.account.mode]))
}

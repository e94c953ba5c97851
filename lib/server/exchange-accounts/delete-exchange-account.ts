import type { Db } from '@/lib/db/client'
import { Prisma } from '@/lib/generated/prisma/client'
import { conflict, notFound } from '@/lib/server/errors/app-error'

/** Deletes one of the user's exchange accounts; refused (409, naming them) while a trader uses it. */
export async function deleteExchangeAccount(opts: { db: Db; userId: string; accountId: string }): Promise<void> {
  const account = await opts.db.exchangeAccount.findFirst({
    where: { id: opts.accountId, userId: opts.userId, kind: 'CCXT' },
    select: { id: true, name: true, traders: { select: { name: true }, orderBy: { createdAt: 'asc' } } },
  })
  if (!account) throw notFound('exchange account')
  if (account.traders.length > 0) throw inUse(account.name, account.traders.map((t) => t.name))
  try {
    await opts.db.exchangeAccount.delete({ where: { id: account.id } })
  } catch (e) {
    // A trader created on it since the check above (the foreign key keeps the account).
    if (e instanceof Prisma.PrismaClientKnownRequestError && (e.code === 'P2003' || e.code === 'P2014')) {
      const traders = await opts.db.trader.findMany({ where: { accountId: account.id }, select: { name: true }, orderBy: { createdAt: 'asc' } })
      throw inUse(account.name, traders.map((t) => t.name))
    }
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2025') throw notFound('exchange account')
    throw e
  }
}

function inUse(account: string, traders: string[]) {
  const names = traders.map((n) => `"${n}"`).join(', ')
  return conflict(`the exchange account "${account}" is used by ${traders.length === 1 ? 'the trader' : 'the traders'} ${names || '(a trader)'}; it can be deleted once no trader uses it`)
}

import type { DbTx } from '@/lib/db/client'
import { conflict, notFound } from '@/lib/server/errors/app-error'

/**
 * One of the user's exchange (CCXT) accounts with its sealed keys, for the services of this
 * folder only; anything else, including the per-trader paper accounts, is not found.
 */
export async function ownExchangeAccount(db: DbTx, userId: string, accountId: string) {
  const a = await db.exchangeAccount.findFirst({ where: { id: accountId, userId, kind: 'CCXT' } })
  if (!a || !a.venue || (a.mode !== 'TESTNET' && a.mode !== 'LIVE')) throw notFound('exchange account')
  return { ...a, venue: a.venue, mode: a.mode }
}

/**
 * Serialises changes to one user's account names, so two requests cannot both take a free name.
 * Held until the transaction ends.
 */
export async function lockAccountNames(tx: DbTx, userId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`exchange-account-names:${userId}`}))`
}

/** 409 when another exchange account of the user already has this name. */
export async function assertNameFree(db: DbTx, userId: string, name: string, exceptId?: string): Promise<void> {
  const other = await db.exchangeAccount.findFirst({ where: { userId, kind: 'CCXT', name, ...(exceptId ? { id: { not: exceptId } } : {}) }, select: { id: true } })
  if (other) throw conflict(`an exchange account named "${name}" already exists`)
}

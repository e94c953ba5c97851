import type { DbTx } from '@/lib/db/client'
import type { SqlTx } from '@/lib/db/sql-tx'
import { env } from '@/lib/config/env'
import { LIVE_TRADING_OFF } from '@/lib/server/exchange/live-account-exchange'
import type { AccountMode, TraderStatus, TraderStatusCause } from '@/lib/generated/prisma/enums'
import { recordActivity } from '@/lib/server/activity/record-activity'
import type { ActorRef } from '@/lib/server/audit/actor'
import { AppError, conflict, notFound } from '@/lib/server/errors/app-error'
import { notify } from '@/lib/server/events/notify'

/**
 * The trading switches: an account-wide halt (ExchangeAccount.halted, set by a panic) and a
 * per-trader status (ACTIVE | PAUSED | HALTED). While either is off nothing opens; exits,
 * stops and take-profits still run. Only a person turns trading back on.
 */

/** Re-enabling trading is a deliberate act of a person (in the web app or with their API token). */
function assertPerson(actor: ActorRef, what: string) {
  if (actor.kind !== 'USER' && actor.kind !== 'API') {
    throw new AppError('FORBIDDEN', `${what} must be done by a person, not by the ${actor.kind.toLowerCase()}`)
  }
}

function since(at: Date | null) {
  return at ? ` since ${at.toISOString()}` : ''
}

/**
 * Halts an account: nothing opens on it until resumeAccount. Idempotent: halting a halted
 * account keeps the first halt's time and reason (they say when and why it all stopped).
 */
export async function haltAccount(tx: DbTx, o: { accountId: string; reason: string; actor: ActorRef }): Promise<{ alreadyHalted: boolean }> {
  // FOR UPDATE orders this against lockTraderForEntry (FOR KEY SHARE) in an opening transaction.
  const [row] = await tx.$queryRaw<{ halted: boolean }[]>`SELECT halted FROM "ExchangeAccount" WHERE id = ${o.accountId} FOR UPDATE`
  if (!row) throw notFound('exchange account')
  if (row.halted) return { alreadyHalted: true }
  const account = await tx.exchangeAccount.update({
    where: { id: o.accountId },
    data: { halted: true, haltedReason: o.reason, haltedAt: new Date() },
  })
  await recordActivity(tx, {
    userId: account.userId,
    type: 'TRADING_HALTED',
    severity: 'warning',
    message: `Trading halted on account "${account.name}": ${o.reason}. Nothing opens until a person re-enables it.`,
  })
  return { alreadyHalted: false }
}

/** Lifts an account's halt. Only a person may do this; resuming an account that is not halted is a no-op. */
export async function resumeAccount(tx: DbTx, o: { accountId: string; actor: ActorRef; note?: string }): Promise<{ wasHalted: boolean }> {
  assertPerson(o.actor, 're-enabling trading')
  const [row] = await tx.$queryRaw<{ halted: boolean }[]>`SELECT halted FROM "ExchangeAccount" WHERE id = ${o.accountId} FOR UPDATE`
  if (!row) throw notFound('exchange account')
  if (!row.halted) return { wasHalted: false }
  const account = await tx.exchangeAccount.update({ where: { id: o.accountId }, data: { halted: false, haltedReason: null, haltedAt: null } })
  await recordActivity(tx, {
    userId: account.userId,
    type: 'TRADING_RESUMED',
    severity: 'info',
    message: `Trading re-enabled on account "${account.name}"${o.note ? `: ${o.note}` : ''}`,
  })
  return { wasHalted: true }
}

/** A status change: ACTIVE, or a stop with who caused it (a breaker's stops are written in trip-breakers.ts). */
type StatusChange = { status: 'ACTIVE' } | { status: Exclude<TraderStatus, 'ACTIVE'>; cause: Exclude<TraderStatusCause, 'BREAKER'> }

/**
 * Pauses, halts or re-activates one trader, with the reason shown wherever it is refused.
 * Setting ACTIVE is a person's act. Stopping a trader that is already stopped changes nothing: the
 * first stop and its cause stand, so a panic on a trader a person paused or a breaker halted leaves
 * it to be lifted as that stop is (never by "Re-enable trading" after the panic).
 */
export async function setTraderStatus(
  tx: DbTx,
  o: StatusChange & { traderId: string; reason: string; actor: ActorRef },
): Promise<{ changed: boolean; previous: TraderStatus }> {
  if (o.status === 'ACTIVE') assertPerson(o.actor, 're-enabling a trader')
  const [row] = await tx.$queryRaw<{ status: TraderStatus }[]>`SELECT status FROM "Trader" WHERE id = ${o.traderId} FOR UPDATE`
  if (!row) throw notFound('trader')
  if (row.status === o.status || (o.status !== 'ACTIVE' && row.status !== 'ACTIVE')) return { changed: false, previous: row.status }
  const active = o.status === 'ACTIVE'
  const trader = await tx.trader.update({
    where: { id: o.traderId },
    // A person re-enabling it starts its losing streak afresh (see lastClosed).
    data: { status: o.status, statusReason: active ? null : o.reason, statusCause: o.status === 'ACTIVE' ? null : o.cause, statusChangedAt: new Date(), ...(active ? { lossStreakFrom: new Date() } : {}) },
  })
  await recordActivity(tx, {
    userId: trader.userId,
    traderId: trader.id,
    type: active ? 'TRADER_RESUMED' : o.status === 'HALTED' ? 'TRADER_HALTED' : 'TRADER_PAUSED',
    severity: active ? 'info' : 'warning',
    message: active
      ? `${trader.name} re-enabled (was ${row.status.toLowerCase()})${o.reason ? `: ${o.reason}` : ''}`
      : `${trader.name} ${o.status.toLowerCase()}: ${o.reason}. It opens nothing until a person re-enables it.`,
  })
  await notify(tx, { kind: 'trader', userId: trader.userId, traderId: trader.id })
  return { changed: true, previous: row.status }
}

type AccountSwitch = {
  name: string
  halted: boolean
  haltedReason: string | null
  haltedAt: Date | null
  mode: 'PAPER' | 'TESTNET' | 'LIVE'
  reconcileError: string | null
  reconciledAt: Date | null
}
type TraderSwitch = { name: string; status: TraderStatus; statusReason: string | null; statusChangedAt: Date | null }

/** The 409 for a halted account or a trader that is not ACTIVE, from rows already read. */
export function assertSwitchesOn(account: AccountSwitch, trader: TraderSwitch): void {
  if (account.halted) {
    throw conflict(`trading is halted on account "${account.name}"${since(account.haltedAt)} (${account.haltedReason ?? 'no reason given'}); re-enable it in Settings`)
  }
  if (account.mode === 'LIVE' && !env().LIVE_TRADING_ENABLED) throw conflict(`account "${account.name}" is LIVE and ${LIVE_TRADING_OFF}`)
  if (account.mode !== 'PAPER' && !account.reconciledAt) {
    throw conflict(`account "${account.name}" has not had its balances read from the exchange yet (the worker reads them every 15 s); try again in a moment`)
  }
  if (account.reconcileError) {
    throw conflict(`new entries on account "${account.name}" wait until it reconciles with the exchange (${account.reconcileError}); exits and cancels still work`)
  }
  if (trader.status !== 'ACTIVE') {
    throw conflict(`trader "${trader.name}" is ${trader.status.toLowerCase()}${since(trader.statusChangedAt)} (${trader.statusReason ?? 'no reason given'}); re-enable it in Settings`)
  }
}

/** The trader's row as an entry reads it under its lock (with its user's, for the user-wide limits). */
export type TraderForEntry = {
  id: string; userId: string; name: string; accountId: string; status: TraderStatus; statusReason: string | null; statusChangedAt: Date | null
  quoteCurrency: string; riskLimits: unknown; pnlPeak: string
  /** Its account's: with the quote currency, the trader's book (see Book). */
  mode: AccountMode
  // Its user's: read, not locked. The peak is its book's (its account's mode and quote currency).
  timeZone: string; userRiskLimits: unknown; userPnlPeak: string
}

/**
 * Takes an entry's locks and throws 409 when the trader may not open anything: its account is
 * halted, or the trader is PAUSED or HALTED. One statement locks the trader's row (NO KEY UPDATE:
 * it excludes the trader's other entries and status changes, not the rows that only name the
 * trader, so a stop's exit order for another position goes on) and then key-share-locks its
 * account's, reading both as they stand once the locks are granted. So an entry either commits
 * before a panic's halt (FOR UPDATE; the panic then sees and closes it) or is refused. KEY SHARE
 * is the weakest lock that does: the account's paper fills (FOR NO KEY UPDATE) go on beside it.
 */
export async function lockTraderForEntry(tx: SqlTx, traderId: string): Promise<TraderForEntry> {
  const [row] = await tx.$queryRaw<(TraderForEntry & Omit<AccountSwitch, 'name'> & { accountName: string })[]>`
    SELECT t.id, t."userId", t.name, t."accountId", t.status::text AS status, t."statusReason", t."statusChangedAt", t."quoteCurrency", t."riskLimits",
      t."pnlPeak"::text AS "pnlPeak", u."timeZone", u."riskLimits" AS "userRiskLimits",
      COALESCE((SELECT bp."pnlPeak" FROM "UserBookPeak" bp WHERE bp."userId" = t."userId" AND bp.mode = a.mode AND bp."quoteCurrency" = a."quoteCurrency"), 0)::text AS "userPnlPeak",
      a.name AS "accountName", a.halted, a."haltedReason", a."haltedAt", a.mode::text AS mode, a."reconcileError", a."reconciledAt"
    FROM "Trader" t JOIN "User" u ON u.id = t."userId" JOIN "ExchangeAccount" a ON a.id = t."accountId"
    WHERE t.id = ${traderId} FOR NO KEY UPDATE OF t FOR KEY SHARE OF a`
  if (!row) throw notFound('trader')
  const { accountName, halted, haltedReason, haltedAt, reconcileError, reconciledAt, ...trader } = row
  assertSwitchesOn({ name: accountName, halted, haltedReason, haltedAt, mode: trader.mode, reconcileError, reconciledAt }, trader)
  return trader
}

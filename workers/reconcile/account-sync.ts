import type { Db } from '@/lib/db/client'
import { fromDb, toDb } from '@/lib/db/decimal-columns'
import { notifyAll } from '@/lib/server/events/notify'
import type { ExchangePort } from '@/lib/exchange/port'
import { ACCOUNT_REF, exchangeForAccount, type AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { PeriodicPass } from '@/workers/periodic-pass'
import { ALL_ACCOUNTS, type AccountScope } from '@/workers/lease/account-lease'

/**
 * Reads each exchange account's balances on a schedule and keeps the last snapshot (it values
 * equity for risk limits and the dashboard). A failed read is recorded on the account as its
 * reconcileError: new entries are refused until a read succeeds again, because sizing and limits
 * would rest on stale books; exits and cancels never depend on it.
 */
export class AccountSync {
  private readonly loop: PeriodicPass

  constructor(
    private readonly db: Db,
    private readonly log: (m: string) => void,
    private readonly opts: { intervalMs?: number; exchangeFor?: (a: AccountRef) => ExchangePort; scope?: AccountScope } = {},
  ) {
    this.loop = new PeriodicPass(() => this.pass(), { intervalMs: opts.intervalMs ?? 15_000, onError: (e) => this.log(`account sync: pass failed: ${e.message}`) })
  }

  /** One pass over every exchange account (at once, then every interval once started); a call while one runs joins it. */
  runOnce(): Promise<void> {
    return this.loop.runOnce()
  }

  start() {
    this.loop.start()
  }

  stop(): Promise<void> {
    return this.loop.stop()
  }

  private async pass() {
    const accounts = await this.db.exchangeAccount.findMany({ where: { kind: 'CCXT' }, select: { ...ACCOUNT_REF, name: true, userId: true, reconciledAt: true, reconcileError: true, traders: { select: { id: true } } } })
    const scope = this.opts.scope ?? ALL_ACCOUNTS
    for (const a of accounts.filter((x) => scope.owns(x.id))) {
      const exchange = this.opts.exchangeFor?.(a) ?? exchangeForAccount(this.db, a)
      try {
        const balances = await exchange.fetchBalances()
        await this.db.$transaction(async (tx) => {
          const before = await tx.accountBalance.findMany({ where: { accountId: a.id }, select: { asset: true, amount: true } })
          const same =
            a.reconciledAt !== null &&
            !a.reconcileError &&
            before.length === balances.length &&
            balances.every((b) => before.some((x) => x.asset === b.asset && fromDb(x.amount).eq(b.amount)))
          await tx.accountBalance.deleteMany({ where: { accountId: a.id, asset: { notIn: balances.map((b) => b.asset) } } })
          for (const b of balances) {
            await tx.accountBalance.upsert({
              where: { accountId_asset: { accountId: a.id, asset: b.asset } },
              create: { accountId: a.id, asset: b.asset, amount: toDb(b.amount) },
              update: { amount: toDb(b.amount) },
            })
          }
          await tx.exchangeAccount.update({ where: { id: a.id }, data: { reconciledAt: new Date(), reconcileError: null } })
          // Pages showing the account's traders refresh when something they show changed.
          if (!same) await notifyAll(tx, a.traders.map((t) => ({ kind: 'trader' as const, userId: a.userId, traderId: t.id })))
        })
        if (a.reconcileError) this.log(`account "${a.name}": in step with the exchange again`)
      } catch (e) {
        const why = `could not read balances from the exchange: ${(e as Error).message}`.slice(0, 500)
        if (a.reconcileError !== why) {
          await this.db
            .$transaction(async (tx) => {
              await tx.exchangeAccount.update({ where: { id: a.id }, data: { reconcileError: why } })
              await notifyAll(tx, a.traders.map((t) => ({ kind: 'trader' as const, userId: a.userId, traderId: t.id })))
            })
            .catch(() => {})
        }
        if (a.reconcileError !== why) this.log(`account "${a.name}": ${why}; new entries are refused until it reads again`)
      }
    }
  }
}

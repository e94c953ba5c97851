import type { Db } from '@/lib/db/client'
import { toDb } from '@/lib/db/decimal-columns'
import type { ExchangePort } from '@/lib/exchange/port'
import { ACCOUNT_REF, exchangeForAccount, type AccountRef } from '@/lib/server/exchange/exchange-for-account'

/**
 * Reads each exchange account's balances on a schedule and keeps the last snapshot (it values
 * equity for risk limits and the dashboard). A failed read is recorded on the account as its
 * reconcileError: new entries are refused until a read succeeds again, because sizing and limits
 * would rest on stale books; exits and cancels never depend on it.
 */
export class AccountSync {
  private timer: NodeJS.Timeout | null = null
  private running: Promise<void> | null = null
  private stopped = true

  constructor(
    private readonly db: Db,
    private readonly log: (m: string) => void,
    private readonly opts: { intervalMs?: number; exchangeFor?: (a: AccountRef) => ExchangePort } = {},
  ) {}

  runOnce(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = null
    })
    return this.running
  }

  start() {
    if (!this.stopped) return
    this.stopped = false
    const tick = () => {
      void this.runOnce().then(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.opts.intervalMs ?? 15_000)
      })
    }
    tick()
  }

  async stop() {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await this.running
  }

  private async pass() {
    const accounts = await this.db.exchangeAccount.findMany({ where: { kind: 'CCXT' }, select: { ...ACCOUNT_REF, name: true, reconcileError: true } })
    for (const a of accounts) {
      const exchange = this.opts.exchangeFor?.(a) ?? exchangeForAccount(this.db, a)
      try {
        const balances = await exchange.fetchBalances()
        await this.db.$transaction(async (tx) => {
          await tx.accountBalance.deleteMany({ where: { accountId: a.id, asset: { notIn: balances.map((b) => b.asset) } } })
          for (const b of balances) {
            await tx.accountBalance.upsert({
              where: { accountId_asset: { accountId: a.id, asset: b.asset } },
              create: { accountId: a.id, asset: b.asset, amount: toDb(b.amount) },
              update: { amount: toDb(b.amount) },
            })
          }
          await tx.exchangeAccount.update({ where: { id: a.id }, data: { reconciledAt: new Date(), reconcileError: null } })
        })
        if (a.reconcileError) this.log(`account "${a.name}": in step with the exchange again`)
      } catch (e) {
        const why = `could not read balances from the exchange: ${(e as Error).message}`.slice(0, 500)
        await this.db.exchangeAccount.update({ where: { id: a.id }, data: { reconcileError: why } }).catch(() => {})
        if (a.reconcileError !== why) this.log(`account "${a.name}": ${why}; new entries are refused until it reads again`)
      }
    }
  }
}

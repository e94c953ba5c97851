import type { Db } from '@/lib/db/client'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import { ACCOUNT_REF, exchangeForAccount, type AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { placeGroupLegs } from '@/lib/server/groups/place-group-legs'
import { syncGroup } from '@/lib/server/groups/sync-group'
import { ALL_ACCOUNTS, ownedAccountsWhere, type AccountScope } from '@/workers/lease/account-lease'
import { PeriodicPass } from '@/workers/periodic-pass'

/**
 * Keeps the position groups of this worker's accounts moving: each pass places what is due (DCA
 * legs as earlier ones fill) and brings each group in line with its fills (average, stop,
 * targets, closing). Every second; both steps are idempotent, so a pass that stops part way, or
 * a new owner after a takeover, simply carries on.
 */
export class GroupKeeper {
  private readonly loop: PeriodicPass

  constructor(
    private readonly db: Db,
    private readonly actor: ActorRef,
    private readonly log: (m: string) => void,
    private readonly opts: { intervalMs?: number; exchangeFor?: (a: AccountRef) => ExchangePort; scope?: AccountScope } = {},
  ) {
    this.loop = new PeriodicPass(() => this.pass(), { intervalMs: opts.intervalMs ?? 1000, onError: (e) => this.log(`position groups: pass failed: ${e.message}`) })
  }

  start(): this {
    this.loop.start()
    return this
  }

  stop(): Promise<void> {
    return this.loop.stop()
  }

  /** One pass now (tests; a signal that just planned a pyramid). */
  runOnce(): Promise<void> {
    return this.loop.runOnce()
  }

  private async pass(): Promise<void> {
    const scope = this.opts.scope ?? ALL_ACCOUNTS
    const groups = await this.db.positionGroup.findMany({
      where: { status: { in: ['OPEN', 'CLOSING'] }, ...ownedAccountsWhere(scope) },
      select: { id: true, accountId: true, trader: { select: { account: { select: ACCOUNT_REF } } } },
      orderBy: { createdAt: 'asc' },
    })
    for (const g of groups) {
      if (!scope.owns(g.accountId)) continue
      const account = g.trader.account
      const exchange = this.opts.exchangeFor?.(account) ?? exchangeForAccount(this.db, account)
      try {
        for (const leg of await placeGroupLegs({ db: this.db, groupId: g.id, actor: this.actor, exchange })) {
          if (leg.status !== 'PLACED' || leg.reason) this.log(`group ${g.id}: leg ${leg.legId} ${leg.status.toLowerCase()}${leg.reason ? `: ${leg.reason}` : ''}`)
        }
        await syncGroup({ db: this.db, groupId: g.id, actor: this.actor, exchange, exchangeFor: this.opts.exchangeFor, log: this.log })
      } catch (e) {
        this.log(`group ${g.id}: ${(e as Error).message}`)
      }
    }
  }
}

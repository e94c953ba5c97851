import type { Db } from '@/lib/db/client'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import type { AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { keepProtected, positionsToProtect } from '@/lib/server/protection/keep-protected'
import { ALL_ACCOUNTS, type AccountScope } from '@/workers/lease/account-lease'

/**
 * Runs keepProtected for a position whenever it changes (entry fills, a moved stop, an exit
 * ending) and for every live position on a schedule, which also finishes what failed before
 * (a cancel the exchange did not answer, a placement deferred by a back-off). Calls for one
 * position run one after another; different positions run side by side.
 */
export class ProtectionKeeper {
  private readonly chains = new Map<string, Promise<void>>()
  private timer: NodeJS.Timeout | null = null
  private sweeping: Promise<void> | null = null
  private stopped = true

  constructor(
    private readonly db: Db,
    private readonly actor: ActorRef,
    private readonly log: (m: string) => void,
    private readonly opts: { intervalMs?: number; exchangeFor?: (a: AccountRef) => ExchangePort; scope?: AccountScope } = {},
  ) {}

  /** Brings one position's exchange-side stop in line; resolves when done (errors are logged). */
  touch(positionId: string): Promise<void> {
    const prev = this.chains.get(positionId) ?? Promise.resolve()
    const next = prev.then(async () => {
      try {
        const r = await keepProtected({ db: this.db, positionId, actor: this.actor, exchangeFor: this.opts.exchangeFor })
        if (r === 'placed') this.log(`protection: stop placed on the exchange for position ${positionId}`)
        if (r === 'refused') this.log(`protection: the exchange refused the stop of position ${positionId}; exiting at market`)
        if (r === 'unknown') this.log(`protection: stop for position ${positionId} sent without an answer; reconciliation will look it up`)
      } catch (e) {
        this.log(`protection: position ${positionId}: ${(e as Error).message}`)
      }
    })
    this.chains.set(positionId, next)
    void next.then(() => {
      if (this.chains.get(positionId) === next) this.chains.delete(positionId)
    })
    return next
  }

  /** One pass over every position that has or may need an exchange-side stop. */
  sweep(): Promise<void> {
    this.sweeping ??= (async () => {
      try {
        const scope = this.opts.scope ?? ALL_ACCOUNTS
        for (const id of await positionsToProtect(this.db, (a) => scope.owns(a))) await this.touch(id)
      } catch (e) {
        this.log(`protection: sweep failed: ${(e as Error).message}`)
      }
    })().finally(() => {
      this.sweeping = null
    })
    return this.sweeping
  }

  start() {
    if (!this.stopped) return
    this.stopped = false
    const tick = () => {
      void this.sweep().then(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.opts.intervalMs ?? 5000)
      })
    }
    tick()
  }

  async stop() {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await this.sweeping
    await Promise.all([...this.chains.values()])
  }
}

import type { Db } from '@/lib/db/client'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import type { AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { cancelLeftoverEntries } from '@/lib/server/positions/leftover-entries'
import { PeriodicPass } from '@/workers/periodic-pass'
import type { AccountScope } from '@/workers/lease/account-lease'

/** Every few seconds, cancels the limit entries still working for positions that closed (of the accounts this worker holds). */
export function leftoverEntryPass(
  db: Db,
  actor: ActorRef,
  log: (m: string) => void,
  o: { scope: AccountScope; exchangeFor?: (account: AccountRef) => ExchangePort; intervalMs?: number },
): PeriodicPass {
  return new PeriodicPass(
    async () => {
      const n = await cancelLeftoverEntries(db, {
        actor,
        owns: (a) => o.scope.owns(a),
        exchangeFor: o.exchangeFor,
        onError: (id, e) => log(`leftover entry ${id}: cancel failed (${e.message}); trying again on the next pass`),
      })
      if (n) log(`canceled ${n} limit entr${n === 1 ? 'y' : 'ies'} still working for closed positions`)
    },
    { intervalMs: o.intervalMs ?? 5000, onError: (e) => log(`leftover entries: pass failed: ${e.message}`) },
  )
}

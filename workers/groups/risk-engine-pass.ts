import type { Db } from '@/lib/db/client'
import type { ExchangePort } from '@/lib/exchange/port'
import type { ActorRef } from '@/lib/server/audit/actor'
import type { AccountRef } from '@/lib/server/exchange/exchange-for-account'
import { runRiskEngine } from '@/lib/server/groups/risk-engine'
import { PeriodicPass } from '@/workers/periodic-pass'

/**
 * The group risk engine of every user who turned it on (the primary worker runs it): one decision
 * per user and pass. A run left acting by a stopped worker is finished here.
 */
export function riskEnginePass(db: Db, actor: ActorRef, log: (m: string) => void, opts: { intervalMs?: number; exchangeFor?: (a: AccountRef) => ExchangePort } = {}): PeriodicPass {
  return new PeriodicPass(
    async () => {
      const users = await db.user.findMany({ where: { riskEngineSettings: { path: ['enabled'], equals: true } }, select: { id: true } })
      for (const u of users) {
        const run = await runRiskEngine({ db, userId: u.id, actor, trigger: 'SCHEDULE', exchangeFor: opts.exchangeFor }).catch((e: Error) => {
          log(`risk engine of user ${u.id}: ${e.message}`)
          return null
        })
        if (run) log(`risk engine: ${run.status.toLowerCase()}: ${run.message}`)
      }
    },
    { intervalMs: opts.intervalMs ?? 5000, onError: (e) => log(`risk engine: pass failed: ${e.message}`) },
  )
}

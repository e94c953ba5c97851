import type { Db } from '@/lib/db/client'
import { promoteFromPool, usersWithWaitingEntries } from '@/lib/server/groups/group-pool'
import { PeriodicPass } from '@/workers/periodic-pass'

/**
 * The group pool's queue, for every user (the primary worker runs it): each second, entries that
 * waited past their expiry end, and slots freed by groups that closed go to the best-ranked
 * entries waiting, whose signals then run through the signal queue. Each user's step runs under
 * the pool lock, so a second worker doing the same would find nothing left to do.
 */
export function poolPromotionPass(db: Db, log: (m: string) => void, opts: { intervalMs?: number } = {}): PeriodicPass {
  return new PeriodicPass(
    async () => {
      for (const userId of await usersWithWaitingEntries(db)) {
        const promoted = await promoteFromPool(db, userId).catch((e: Error) => {
          log(`group pool of user ${userId}: ${e.message}`)
          return []
        })
        if (promoted.length) log(`group pool: promoted signal(s) ${promoted.join(', ')}`)
      }
    },
    { intervalMs: opts.intervalMs ?? 1000, onError: (e) => log(`group pool: pass failed: ${e.message}`) },
  )
}

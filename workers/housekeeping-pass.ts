import type { Db } from '@/lib/db/client'
import { expireApprovals, settleInterruptedApprovals } from '@/lib/server/approvals/decide-approval'
import { settleInterruptedDecisions } from '@/lib/server/decisions/settle-interrupted-decisions'
import { tripBreakers } from '@/lib/server/risk/trip-breakers'
import { PeriodicPass } from '@/workers/periodic-pass'

/**
 * The primary worker's housekeeping, every heartbeat: unanswered approvals expire, approvals and
 * decisions interrupted while executing are settled, and every user's loss breakers are checked.
 * The next pass starts an interval after this one ended: with many users, or a database slowed
 * by a burst, a pass can outlast the interval, and passes queued behind it would keep the
 * database busy after the burst (and the worker's stop waiting for all of them).
 * Each step and each user's check fails alone: one user's breakers that cannot be checked (a
 * time zone this runtime no longer knows, say) must not leave every user after them unchecked.
 */
export function housekeepingPass(db: Db, log: (m: string) => void, opts: { intervalMs: number }): PeriodicPass {
  const step = <T>(what: string, run: () => Promise<T>) =>
    run().catch((e: Error) => {
      log(`housekeeping: ${what} failed: ${e.message}`)
      return null
    })
  return new PeriodicPass(
    async () => {
      const expired = await step('expiring approvals', () => expireApprovals(db))
      if (expired) log(`${expired} approval(s) expired`)
      const interrupted = await step('settling interrupted approvals', () => settleInterruptedApprovals(db))
      if (interrupted) log(`${interrupted} approval(s) interrupted while executing were settled`)
      const decisions = await step('settling interrupted decisions', () => settleInterruptedDecisions(db))
      if (decisions) log(`${decisions} decision(s) interrupted while executing were settled`)
      const users = (await step('listing users', () => db.user.findMany({ where: { traders: { some: {} } }, select: { id: true }, orderBy: { id: 'asc' } }))) ?? []
      for (const u of users) {
        for (const t of (await step(`checking the loss breakers of user ${u.id}`, () => tripBreakers(db, u.id))) ?? []) log(`breaker: ${t.trip.reason}`)
      }
    },
    // The first pass an interval after the worker became primary, as the heartbeat's.
    { intervalMs: opts.intervalMs, atStart: false, onError: (e) => log(`housekeeping failed: ${e.message}`) },
  )
}

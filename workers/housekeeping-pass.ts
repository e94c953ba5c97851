import type { Db } from '@/lib/db/client'
import { recordActivity, type Severity } from '@/lib/server/activity/record-activity'
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
 * time zone this runtime no longer knows, say) must not leave every user after them unchecked,
 * and that user is told in their feed.
 */
export function housekeepingPass(db: Db, log: (m: string) => void, opts: { intervalMs: number }): PeriodicPass {
  const step = <T>(what: string, run: () => Promise<T>) =>
    run().catch((e: Error) => {
      log(`housekeeping: ${what} failed: ${e.message}`)
      return null
    })
  // Users whose breaker check failed and who have been told so; told again once a check passes.
  const failing = new Set<string>()
  const tell = (userId: string, type: string, severity: Severity, message: string) =>
    db.$transaction((tx) => recordActivity(tx, { userId, type, severity, message })).then(
      () => true,
      (e: Error) => (log(`housekeeping: telling user ${userId} about their loss breakers failed: ${e.message}`), false),
    )
  // A user whose breakers are not checked sees it in their feed (an error, so their channels hear
  // of it too), and the worker's log says it, once a failing streak: not again every heartbeat.
  const checkBreakers = async (userId: string) => {
    try {
      for (const t of await tripBreakers(db, userId)) log(`breaker: ${t.trip.reason}`)
    } catch (e) {
      if (failing.has(userId)) return
      const why = (e as Error).message
      log(`housekeeping: checking the loss breakers of user ${userId} failed: ${why} (not said again until they are checked)`)
      // Its first line only: a database error's text goes on with the statement.
      const message = `Your loss breakers (daily loss, drawdown, losing streak) could not be checked: ${why.split('\n')[0]!.slice(0, 300)}. Until they can, a trader that reaches one of those limits is not stopped.`
      if (await tell(userId, 'BREAKER_CHECK_FAILED', 'error', message)) failing.add(userId)
      return
    }
    if (!failing.has(userId)) return
    log(`housekeeping: the loss breakers of user ${userId} are checked again`)
    if (await tell(userId, 'BREAKER_CHECK_RESTORED', 'info', 'Your loss breakers are checked again.')) failing.delete(userId)
  }
  return new PeriodicPass(
    async () => {
      const expired = await step('expiring approvals', () => expireApprovals(db))
      if (expired) log(`${expired} approval(s) expired`)
      const interrupted = await step('settling interrupted approvals', () => settleInterruptedApprovals(db))
      if (interrupted) log(`${interrupted} approval(s) interrupted while executing were settled`)
      const decisions = await step('settling interrupted decisions', () => settleInterruptedDecisions(db))
      if (decisions) log(`${decisions} decision(s) interrupted while executing were settled`)
      const users = (await step('listing users', () => db.user.findMany({ where: { traders: { some: {} } }, select: { id: true }, orderBy: { id: 'asc' } }))) ?? []
      for (const u of users) await checkBreakers(u.id)
    },
    // The first pass an interval after the worker became primary, as the heartbeat's.
    { intervalMs: opts.intervalMs, atStart: false, onError: (e) => log(`housekeeping failed: ${e.message}`) },
  )
}

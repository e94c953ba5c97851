import { z } from 'zod'
import type { Db } from '@/lib/db/client'
import type { ActorRef } from '@/lib/server/audit/actor'
import { notFound } from '@/lib/server/errors/app-error'
import { assertNoStandingBreaker } from '@/lib/server/risk/standing-breaker'
import { setTraderStatus } from '@/lib/server/trading/halt-trading'
import { findTraderRow, loadTraderState, type TraderStateView } from './trader-settings-view'
import { parseRequest } from './update-trader-settings'
import { textField } from '@/lib/server/validation/text-field'

export const ZPauseTraderRequest = z.strictObject({
  /** Shown wherever the trader is refused; defaults to who paused it. */
  reason: textField({ max: 200 }).optional(),
})

async function personName(db: Db, userId: string): Promise<string> {
  const u = await db.user.findUnique({ where: { id: userId }, select: { email: true } })
  if (!u) throw notFound('user')
  return u.email
}

/**
 * Pauses a trader: it opens nothing (exits, stops and take-profits still run) until a person
 * resumes it. Pausing a trader that is already paused or halted changes nothing: a panic's
 * HALTED and its reason are kept. Returns the trader's state.
 */
export async function pauseTrader(opts: { db: Db; userId: string; traderId: string; actor: ActorRef; input?: unknown }): Promise<TraderStateView> {
  const input = parseRequest(ZPauseTraderRequest, opts.input)
  const t = await findTraderRow(opts.db, opts)
  if (t.status === 'ACTIVE') {
    const reason = input.reason || `paused by ${await personName(opts.db, opts.userId)}`
    await opts.db.$transaction(async (tx) => {
      // Re-checked under the row lock: a breaker or a panic may have stopped it meanwhile.
      const [row] = await tx.$queryRaw<{ status: string }[]>`SELECT status FROM "Trader" WHERE id = ${t.id} FOR UPDATE`
      if (row?.status === 'ACTIVE') await setTraderStatus(tx, { traderId: t.id, status: 'PAUSED', cause: 'PERSON', reason, actor: opts.actor })
    })
  }
  return loadTraderState(opts.db, opts)
}

/**
 * Re-activates a paused or halted trader: a person's deliberate act (the worker and the system
 * cannot). An account halted by a panic stays halted; the state says so.
 */
export async function resumeTrader(opts: { db: Db; userId: string; traderId: string; actor: ActorRef }): Promise<TraderStateView> {
  const t = await findTraderRow(opts.db, opts)
  if (t.status !== 'ACTIVE') {
    // A person resuming starts the losing streak afresh: the loss limits that look at time
    // (daily loss, drawdown) still stand, a streak of past losses does not.
    await assertNoStandingBreaker(opts.db, t)
    const reason = `by ${await personName(opts.db, opts.userId)}`
    await opts.db.$transaction((tx) => setTraderStatus(tx, { traderId: t.id, status: 'ACTIVE', reason, actor: opts.actor }))
  }
  return loadTraderState(opts.db, opts)
}

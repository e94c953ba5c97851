import { z } from 'zod'
import type { Db } from '@/lib/db/client'
import type { ActorRef } from '@/lib/server/audit/actor'
import { fromZodError, notFound } from '@/lib/server/errors/app-error'
import { assertNoStandingBreaker } from '@/lib/server/risk/standing-breaker'
import { resumeAccount, setTraderStatus } from './halt-trading'
import { loadTradingState } from './trading-state'
import { ZIdField } from '@/lib/server/validation/id-field'

export const ZResumeTradingRequest = z.strictObject({
  confirm: z.literal(true, { error: 'must be true: re-enabling lets traders open positions again' }),
  /** Lift this account's halt. */
  accountId: ZIdField.optional(),
  /** Re-activate this (halted or paused) trader. */
  traderId: ZIdField.optional(),
})

/**
 * A person re-enables trading after a panic: one account, one trader (409 while one of its loss
 * limits is still breached: the breaker would stop it again at once), or (with neither) every
 * halted account of theirs and every trader a panic HALTED. Paused traders, and traders a risk
 * breaker halted (a drawdown past its limit), stay stopped unless named: re-enabling those is a
 * decision about that trader, not part of undoing a panic. Returns the trading state afterwards.
 */
export async function resumeTrading(opts: { db: Db; userId: string; actor: ActorRef; input: unknown }) {
  const parsed = ZResumeTradingRequest.safeParse(opts.input ?? {})
  if (!parsed.success) throw fromZodError(parsed.error)
  const { accountId, traderId } = parsed.data
  const { db, userId, actor } = opts
  const user = await db.user.findUnique({ where: { id: userId }, select: { email: true } })
  if (!user) throw notFound('user')
  const note = `by ${user.email}`
  if (traderId) {
    const trader = await db.trader.findFirst({ where: { id: traderId, userId }, select: { id: true, name: true, status: true } })
    if (!trader) throw notFound('trader')
    if (trader.status !== 'ACTIVE') await assertNoStandingBreaker(db, trader)
  }
  await db.$transaction(async (tx) => {
    if (accountId) {
      if (!(await tx.exchangeAccount.findFirst({ where: { id: accountId, userId }, select: { id: true } }))) throw notFound('exchange account')
      await resumeAccount(tx, { accountId, actor, note })
    }
    // Its ownership was checked above, with its loss limits.
    if (traderId) await setTraderStatus(tx, { traderId, status: 'ACTIVE', reason: note, actor })
    if (!accountId && !traderId) {
      for (const a of await tx.exchangeAccount.findMany({ where: { userId, halted: true }, select: { id: true } })) await resumeAccount(tx, { accountId: a.id, actor, note })
      for (const t of await tx.trader.findMany({ where: { userId, status: 'HALTED', OR: [{ statusCause: null }, { statusCause: { not: 'BREAKER' } }] }, select: { id: true } })) {
        await setTraderStatus(tx, { traderId: t.id, status: 'ACTIVE', reason: note, actor })
      }
    }
  })
  return loadTradingState(db, userId)
}

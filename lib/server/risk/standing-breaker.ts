import { sqlOf, type Db } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { ZERO } from '@/lib/domain/decimal'
import { evaluateBreakers, type BreakerTrip } from '@/lib/domain/risk/breakers'
import { conflict, notFound } from '@/lib/server/errors/app-error'
import { readRiskLimits, readUserRiskLimits } from '@/lib/server/traders/trader-settings'
import { bookLabel, loadTraderAndUserRiskState } from './load-risk-state'
import { equityUnknown, EQUITY_UNKNOWN } from './trip-breakers'

/**
 * The loss breaker that would stop this trader again on the worker's next pass once a person has
 * resumed it (its own limits first, then its user's, as tripBreakers checks them), or null. None
 * for a trader whose exchange balances have not been read yet: its equity is unknown, and
 * tripBreakers waits for it too.
 */
export async function standingBreaker(db: Db, traderId: string, now = Date.now()): Promise<{ scope: 'trader' | 'user'; trip: BreakerTrip } | null> {
  const t = await db.trader.findUnique({
    where: { id: traderId },
    select: {
      userId: true, quoteCurrency: true, riskLimits: true, pnlPeak: true,
      account: { select: { kind: true, reconciledAt: true, mode: true, quoteCurrency: true } },
      user: { select: { timeZone: true, riskLimits: true } },
    },
  })
  if (!t) throw notFound('trader')
  if (equityUnknown(t.account)) return null
  // Its user-wide limits are its book's (see Book): the user's traders of its account's mode and quote currency.
  const book = { mode: t.account.mode, quoteCurrency: t.account.quoteCurrency }
  const bookPeak = await db.userBookPeak.findUnique({ where: { userId_mode_quoteCurrency: { userId: t.userId, ...book } }, select: { pnlPeak: true } })
  const figures = await loadTraderAndUserRiskState(sqlOf(db), {
    userId: t.userId, traderId, timeZone: t.user.timeZone, now,
    trader: { pnlPeak: fromDb(t.pnlPeak) },
    user: { pnlPeak: bookPeak ? fromDb(bookPeak.pnlPeak) : ZERO },
  })
  // The person resuming it starts its losing streak afresh (setTraderStatus): past losses do not stop it again.
  const traderState = { ...figures.trader.state, consecutiveLosses: 0 }
  const own = evaluateBreakers({ scope: 'trader', limits: readRiskLimits(t.riskLimits), state: traderState, quoteCurrency: t.quoteCurrency })
  if (own) return { scope: 'trader', trip: own }
  // tripBreakers judges a book's user-wide limits only once every account's equity in it is known.
  if (await db.trader.count({ where: { userId: t.userId, account: { ...EQUITY_UNKNOWN, ...book } } })) return null
  const all = evaluateBreakers({ scope: { userBook: bookLabel(book) }, limits: readUserRiskLimits(t.user.riskLimits), state: figures.user.state, quoteCurrency: book.quoteCurrency })
  return all ? { scope: 'user', trip: all } : null
}

/**
 * A person re-enabling a trader whose loss limit is still breached would see it stopped again
 * within seconds (and every entry refused meanwhile): say so instead, with what would lift it.
 */
export async function assertNoStandingBreaker(db: Db, trader: { id: string; name: string }): Promise<void> {
  const standing = await standingBreaker(db, trader.id)
  if (!standing) return
  const where = standing.scope === 'trader' ? "in the trader's risk settings" : 'in the user-wide risk settings (Settings)'
  const daily = standing.trip.limit === 'dailyLossLimitQuote' || standing.trip.limit === 'dailyLossLimitPct'
  throw conflict(
    `trader "${trader.name}" would be stopped again at once: ${standing.trip.reason}. Raise or turn off that limit ${where}` +
      `${daily ? ', or resume it on the next trading day' : ''}, then resume it`,
  )
}

import type { Db } from '@/lib/db/client'
import { fromDb, toDb } from '@/lib/db/decimal-columns'
import { maxDec, ZERO } from '@/lib/domain/decimal'
import { evaluateBreakers, type BreakerTrip } from '@/lib/domain/risk/breakers'
import { recordActivity } from '@/lib/server/activity/record-activity'
import { notify } from '@/lib/server/events/notify'
import { readRiskLimits, readUserRiskLimits } from '@/lib/server/traders/trader-settings'
import { tradingDayStart } from '@/lib/domain/risk/trading-day'
import { markDayStart } from './day-pnl-mark'
import { bookKey, bookLabel, loadUserRiskStates, type Book } from './load-risk-state'

/** An exchange account whose balances the worker has not read yet: its equity is unknown (not zero). */
export const EQUITY_UNKNOWN = { kind: 'CCXT', reconciledAt: null } as const
export const equityUnknown = (a: { kind: string; reconciledAt: Date | null }) => a.kind === EQUITY_UNKNOWN.kind && a.reconciledAt === null

/**
 * Checks the loss breakers (daily loss, drawdown, consecutive losses) for every active trader
 * of a user and for each of the user's books (see Book: the user-wide limits over the traders
 * of one account mode and quote currency), tracks the PnL peaks and the day marks, and pauses
 * (or, for drawdown, halts) what tripped with a visible reason. Only a person resumes. Run by
 * the worker's housekeeping pass, every heartbeat.
 */
export async function tripBreakers(db: Db, userId: string, now = Date.now()): Promise<{ traderId: string | null; trip: BreakerTrip }[]> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { timeZone: true, riskLimits: true, bookPeaks: true } })
  const traders = await db.trader.findMany({ where: { userId }, include: { account: { select: { kind: true, reconciledAt: true } } } })
  const peaks = new Map(user.bookPeaks.map((b) => [bookKey(b), fromDb(b.pnlPeak)]))
  const peakOf = (b: Book) => peaks.get(bookKey(b)) ?? ZERO
  const trips: { traderId: string | null; trip: BreakerTrip }[] = []
  // An exchange account whose balances have not been read yet has no known equity (not zero):
  // limits against equity cannot be judged for it until the worker's first read (≤ 15 s).
  const unknownEquity = (t: (typeof traders)[number]) => equityUnknown(t.account)

  // Positions held into a new trading day count toward its loss limits from here on.
  await markDayStart(db, userId, new Date(tradingDayStart(now, user.timeZone)))
  // One read of the user's ledger for every trader and for the user as a whole.
  const userLimits = readUserRiskLimits(user.riskLimits)
  const states = await loadUserRiskStates(db, {
    userId, timeZone: user.timeZone, now,
    traders: traders.map((t) => ({ id: t.id, pnlPeak: fromDb(t.pnlPeak) })),
    user: { peakOf },
  })
  for (const t of traders) {
    const limits = readRiskLimits(t.riskLimits)
    const figures = states.traders.get(t.id)!
    const peak = maxDec(fromDb(t.pnlPeak), figures.pnlNow)
    if (!peak.eq(fromDb(t.pnlPeak))) await db.trader.update({ where: { id: t.id }, data: { pnlPeak: toDb(peak) } })
    if (t.status !== 'ACTIVE' || unknownEquity(t)) continue
    const trip = evaluateBreakers({ scope: 'trader', limits, state: figures.state, quoteCurrency: t.quoteCurrency })
    if (trip) {
      await stopTraders(db, userId, [t.id], trip, `${t.name}`)
      trips.push({ traderId: t.id, trip })
    }
  }

  for (const { book, traderIds, figures } of states.books.values()) {
    const peak = maxDec(peakOf(book), figures.pnlNow)
    if (!peak.eq(peakOf(book))) {
      const data = { pnlPeak: toDb(peak) }
      await db.userBookPeak.upsert({ where: { userId_mode_quoteCurrency: { userId, ...book } }, create: { userId, ...book, ...data }, update: data })
    }
    const inBook = traders.filter((t) => traderIds.includes(t.id))
    const active = inBook.filter((t) => t.status === 'ACTIVE' && !trips.some((x) => x.traderId === t.id)).map((t) => t.id)
    const trip = evaluateBreakers({ scope: { userBook: bookLabel(book) }, limits: userLimits, state: figures.state, quoteCurrency: book.quoteCurrency })
    if (trip && active.length && !inBook.some(unknownEquity)) {
      await stopTraders(db, userId, active, trip, `all ${bookLabel(book)} traders`)
      trips.push({ traderId: null, trip })
    }
  }
  return trips
}

async function stopTraders(db: Db, userId: string, traderIds: string[], trip: BreakerTrip, who: string) {
  const status = trip.action === 'HALT' ? 'HALTED' : 'PAUSED'
  const reason = `${trip.reason} — ${status === 'HALTED' ? 'halted' : 'paused'} until a person resumes it`
  await db.$transaction(async (tx) => {
    for (const id of traderIds) {
      const t = await tx.trader.update({ where: { id }, data: { status, statusReason: reason, statusCause: 'BREAKER', statusChangedAt: new Date() } })
      await tx.riskEvent.create({ data: { accountId: t.accountId, traderId: id, limit: trip.limit, currentValue: trip.currentValue, allowedValue: trip.allowedValue, message: trip.reason, source: 'BREAKER', tripped: true } })
      await notify(tx, { kind: 'trader', userId, traderId: id })
    }
    await recordActivity(tx, { userId, traderId: traderIds.length === 1 ? traderIds[0] : undefined, type: 'BREAKER_TRIPPED', severity: 'error', message: `${who}: ${reason}` })
  })
}

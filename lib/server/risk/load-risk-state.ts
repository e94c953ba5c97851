import type { DbTx } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { maxDec, sumDec, ZERO, type Decimal } from '@/lib/domain/decimal'
import { exitPriceFor } from '@/lib/domain/positions/exit-price'
import { unrealizedPnl } from '@/lib/domain/positions/fill-ledger'
import { drawdownPct, consecutiveLossesFrom } from '@/lib/domain/risk/breakers'
import type { RiskState } from '@/lib/domain/risk/check-order-risk'
import { tradingDayStart } from '@/lib/domain/risk/trading-day'
import { loadQuotes } from '@/lib/market-data/quote-store'
import { accountEquity } from '@/lib/server/accounts/account-equity'
import { ACTIVE_POSITION_STATUSES } from '@/lib/domain/positions/position-lifecycle'


export interface ScopeFigures {
  state: RiskState
  /** Realized plus unrealized PnL of every position in scope, all time; drives the drawdown peak. */
  pnlNow: Decimal
}

/**
 * The risk state of one trader, or of all of a user's traders, computed from the ledger:
 * positions and their realized PnL, open positions marked at the latest quotes, and each
 * account's equity. Daily figures use the user's calendar day.
 *
 * dailyPnl = realized PnL of positions closed today + unrealized PnL of open positions
 * (partial closes of a still-open position are counted with it), so a loss shows as soon
 * as it is on the books.
 */
export async function loadRiskState(
  tx: DbTx,
  opts: { userId: string; traderId?: string; timeZone: string; now: number; duplicateWindowSeconds?: number | null; cooldownMinutes?: number | null; pnlPeak: Decimal },
): Promise<ScopeFigures> {
  const traderFilter = opts.traderId ? { traderId: opts.traderId } : { trader: { userId: opts.userId } }
  const dayStart = new Date(tradingDayStart(opts.now, opts.timeZone))
  // Entries far enough back for the cooldown, which may reach into yesterday.
  const entriesSince = new Date(Math.min(dayStart.getTime(), opts.now - (opts.cooldownMinutes ?? 0) * 60_000))
  const [traders, open, closedToday, closedRecent, recentEntryRows, quotes] = await Promise.all([
    tx.trader.findMany({ where: opts.traderId ? { id: opts.traderId } : { userId: opts.userId }, select: { accountId: true } }),
    tx.position.findMany({ where: { ...traderFilter, status: { in: [...ACTIVE_POSITION_STATUSES] } } }),
    tx.position.findMany({ where: { ...traderFilter, status: 'CLOSED', closedAt: { gte: dayStart } }, select: { realizedPnl: true } }),
    tx.position.findMany({ where: { ...traderFilter, status: 'CLOSED' }, orderBy: { closedAt: 'desc' }, take: 50, select: { realizedPnl: true } }),
    tx.position.findMany({ where: { ...traderFilter, createdAt: { gte: entriesSince }, status: { not: 'FAILED' } }, select: { symbol: true, side: true, createdAt: true } }),
    loadQuotes(tx),
  ])
  const quoteBy = new Map(quotes.map((q) => [q.symbol, q]))

  let unrealized = ZERO
  let exposure = ZERO
  for (const p of open) {
    const q = quoteBy.get(p.symbol)
    const openQty = fromDb(p.openQty)
    const mark = q ? exitPriceFor(p.side, q) : fromDb(p.avgEntryPrice)
    // A resting entry counts at its requested size: it can fill at any moment.
    const qty = openQty.isZero() ? fromDb(p.requestedQty) : openQty
    exposure = exposure.plus(qty.mul(openQty.isZero() && p.limitPrice ? fromDb(p.limitPrice) : mark))
    unrealized = unrealized.plus(unrealizedPnl(p.side, { openQty, avgEntryPrice: fromDb(p.avgEntryPrice) }, mark))
  }
  const realizedOpen = sumDec(open.map((p) => fromDb(p.realizedPnl)))
  const dailyPnl = sumDec(closedToday.map((p) => fromDb(p.realizedPnl))).plus(unrealized).plus(realizedOpen)

  const allTimeRealized = await tx.position.aggregate({ where: { ...traderFilter, status: 'CLOSED' }, _sum: { realizedPnl: true } })
  const pnlNow = fromDb(allTimeRealized._sum.realizedPnl ?? 0).plus(realizedOpen).plus(unrealized)

  let equity = ZERO
  for (const accountId of new Set(traders.map((t) => t.accountId))) equity = equity.plus((await accountEquity(tx, accountId)).equity)

  const peak = maxDec(opts.pnlPeak, pnlNow)
  const lastEntryAtBySymbol: Record<string, number> = {}
  for (const e of recentEntryRows) lastEntryAtBySymbol[e.symbol] = Math.max(lastEntryAtBySymbol[e.symbol] ?? 0, e.createdAt.getTime())
  const windowMs = (opts.duplicateWindowSeconds ?? 0) * 1000
  return {
    pnlNow,
    state: {
      equity,
      openPositions: open.length,
      exposureQuote: exposure,
      dailyPnl,
      // Relative to the equity at the peak, so a 10% drawdown means 10% of what was there then.
      drawdownPct: drawdownPct(peak, pnlNow, equity.minus(pnlNow).plus(peak)),
      tradesToday: recentEntryRows.filter((e) => e.createdAt >= dayStart).length,
      lastEntryAtBySymbol,
      consecutiveLosses: consecutiveLossesFrom(closedRecent.map((p) => fromDb(p.realizedPnl))),
      recentEntries: recentEntryRows.filter((e) => opts.now - e.createdAt.getTime() <= windowMs).map((e) => ({ symbol: e.symbol, side: e.side, at: e.createdAt.getTime() })),
    },
  }
}

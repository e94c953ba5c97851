import type { DbTx } from '@/lib/db/client'
import { Prisma } from '@/lib/generated/prisma/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { maxDec, sumDec, ZERO, type Decimal } from '@/lib/domain/decimal'
import { drawdownPct, consecutiveLossesFrom } from '@/lib/domain/risk/breakers'
import type { RiskState } from '@/lib/domain/risk/check-order-risk'
import { tradingDayStart } from '@/lib/domain/risk/trading-day'
import { loadQuotes } from '@/lib/market-data/quote-store'
import { valueBalances } from '@/lib/server/accounts/account-equity'
import { ACTIVE_POSITION_STATUSES } from '@/lib/domain/positions/position-lifecycle'


export interface ScopeFigures {
  state: RiskState
  /** Realized plus unrealized PnL of every position in scope, all time; drives the drawdown peak. */
  pnlNow: Decimal
}

interface ScopeLimits {
  pnlPeak: Decimal
  duplicateWindowSeconds?: number | null
  cooldownMinutes?: number | null
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
  const rows = await loadScopeRows(tx, { userId: opts.userId, traderId: opts.traderId, timeZone: opts.timeZone, now: opts.now, cooldownMinutes: [opts.cooldownMinutes] })
  return figuresFor(rows, { ...opts, closedRecent: rows.closedRecent })
}

/**
 * One trader's state and its user's (all traders) state for an entry check, from one read of
 * the user's ledger: the trader's figures are the user's rows filtered to it, with exactly the
 * same definitions as loadRiskState (which this must agree with).
 */
export async function loadTraderAndUserRiskState(
  tx: DbTx,
  opts: { userId: string; traderId: string; timeZone: string; now: number; trader: ScopeLimits; user: ScopeLimits },
): Promise<{ trader: ScopeFigures; user: ScopeFigures }> {
  const r = await loadUserRiskStates(tx, { ...opts, traders: [{ id: opts.traderId, ...opts.trader }] })
  return { trader: r.traders.get(opts.traderId)!, user: r.user }
}

/**
 * Every listed trader's state and the user's (all traders) state from one read of the user's
 * ledger, plus each trader's latest closes for its losing streak: what the loss breakers check.
 */
export async function loadUserRiskStates(
  tx: DbTx,
  opts: { userId: string; timeZone: string; now: number; traders: (ScopeLimits & { id: string })[]; user: ScopeLimits },
): Promise<{ traders: Map<string, ScopeFigures>; user: ScopeFigures }> {
  const cooldownMinutes = [...opts.traders.map((t) => t.cooldownMinutes), opts.user.cooldownMinutes]
  const [rows, ...closedRecent] = await Promise.all([
    loadScopeRows(tx, { userId: opts.userId, timeZone: opts.timeZone, now: opts.now, cooldownMinutes }),
    ...opts.traders.map((t) => lastClosed(tx, { traderId: t.id })),
  ])
  const base = { userId: opts.userId, timeZone: opts.timeZone, now: opts.now }
  return {
    traders: new Map(opts.traders.map((t, i) => [t.id, figuresFor(rows, { ...base, ...t, traderId: t.id, closedRecent: closedRecent[i]! })])),
    user: figuresFor(rows, { ...base, ...opts.user, closedRecent: rows.closedRecent }),
  }
}

// The losing streak looks at no more than this many of the latest closed positions.
const STREAK_WINDOW = 50

/**
 * The latest closed trades, newest first, for the loss streak. A position group's legs are one
 * trade (their results summed, at its newest leg's place): a group stopped out with five legs is
 * one loss, not five.
 */
async function lastClosed(tx: DbTx, traderFilter: { traderId: string } | { trader: { userId: string } }): Promise<{ realizedPnl: Decimal }[]> {
  const rows = await tx.position.findMany({ where: { ...traderFilter, status: 'CLOSED' }, orderBy: { closedAt: 'desc' }, take: STREAK_WINDOW, select: { realizedPnl: true, groupId: true } })
  const trades: { realizedPnl: Decimal }[] = []
  const byGroup = new Map<string, { realizedPnl: Decimal }>()
  for (const r of rows) {
    const pnl = fromDb(r.realizedPnl)
    const same = r.groupId ? byGroup.get(r.groupId) : undefined
    if (same) {
      same.realizedPnl = same.realizedPnl.plus(pnl)
      continue
    }
    const trade = { realizedPnl: pnl }
    trades.push(trade)
    if (r.groupId) byGroup.set(r.groupId, trade)
  }
  return trades
}

/** Entries far enough back for the cooldown, which may reach into yesterday. */
function entriesSinceFor(dayStart: Date, now: number, cooldownMinutes: number | null | undefined) {
  return new Date(Math.min(dayStart.getTime(), now - (cooldownMinutes ?? 0) * 60_000))
}

type ScopeRows = Awaited<ReturnType<typeof loadScopeRows>>

/**
 * Every row a scope's figures need, bounded by what the limits look at: open positions, today's
 * closes, entries since the day start (or the cooldown), the latest closes for the streak, the
 * all-time realized sum per trader (one aggregate), balances, rules and quotes once each.
 */
async function loadScopeRows(tx: DbTx, o: { userId: string; traderId?: string; timeZone: string; now: number; cooldownMinutes: (number | null | undefined)[] }) {
  const traderFilter = o.traderId ? { traderId: o.traderId } : { trader: { userId: o.userId } }
  const dayStart = new Date(tradingDayStart(o.now, o.timeZone))
  const entriesSince = new Date(Math.min(...o.cooldownMinutes.map((c) => entriesSinceFor(dayStart, o.now, c).getTime())))
  const [traders, openByTrader, closedToday, closedRecent, recentEntryRows, realizedByTrader, quotes, markets] = await Promise.all([
    tx.trader.findMany({ where: o.traderId ? { id: o.traderId } : { userId: o.userId }, select: { id: true, accountId: true, account: { select: { quoteCurrency: true, balances: true } } } }),
    openAggregates(tx, o.traderId ? Prisma.sql`p."traderId" = ${o.traderId}` : Prisma.sql`t."userId" = ${o.userId}`),
    tx.position.findMany({ where: { ...traderFilter, status: 'CLOSED', closedAt: { gte: dayStart } }, select: { traderId: true, realizedPnl: true } }),
    lastClosed(tx, traderFilter),
    // A pyramid is one entry: its DCA legs (group legs after the first) are not counted again.
    tx.position.findMany({ where: { ...traderFilter, createdAt: { gte: entriesSince }, status: { not: 'FAILED' }, OR: [{ groupLegId: null }, { groupLeg: { index: 0 } }] }, select: { traderId: true, symbol: true, side: true, createdAt: true } }),
    tx.position.groupBy({ by: ['traderId'], where: { ...traderFilter, status: 'CLOSED' }, _sum: { realizedPnl: true } }),
    loadQuotes(tx),
    tx.marketRule.findMany({ select: { base: true, quote: true, symbol: true } }),
  ])
  return { dayStart, traders, openByTrader, closedToday, closedRecent, recentEntryRows, realizedByTrader, quotes, markets }
}

type OpenAggregate = { traderId: string; n: number; exposure: string; unrealized: string; realized: string }

/**
 * The active positions of a scope summed per trader in PostgreSQL (exact numeric), so the state
 * costs one small row per trader instead of every open position's row through the client:
 * - n: the open positions, a position group's legs counting as one;
 * - exposure: the open quantity at its mark, or a resting entry's requested quantity at its
 *   limit (a market entry not yet filled: at the mark), since it can fill at any moment;
 * - unrealized: (mark - average entry) x open quantity for a LONG, the reverse for a SHORT;
 * - realized: what partial closes of still-open positions have realized.
 * The mark is the exit side of the latest quote (bid for a LONG, ask for a SHORT; exitPriceFor),
 * or the average entry when the symbol has no quote.
 */
function openAggregates(tx: DbTx, scope: Prisma.Sql) {
  return tx.$queryRaw<OpenAggregate[]>`
    SELECT p."traderId", count(DISTINCT COALESCE(p."groupId", p.id))::int AS n,
      COALESCE(sum(CASE WHEN p."openQty" = 0 THEN p."requestedQty" * COALESCE(p."limitPrice", m.mark) ELSE p."openQty" * m.mark END), 0)::text AS exposure,
      COALESCE(sum(CASE WHEN p.side = 'LONG' THEN (m.mark - p."avgEntryPrice") * p."openQty" ELSE (p."avgEntryPrice" - m.mark) * p."openQty" END), 0)::text AS unrealized,
      COALESCE(sum(p."realizedPnl"), 0)::text AS realized
    FROM "Position" p
    JOIN "Trader" t ON t.id = p."traderId"
    LEFT JOIN "MarketQuote" q ON q.symbol = p.symbol
    CROSS JOIN LATERAL (SELECT CASE WHEN q.symbol IS NULL THEN p."avgEntryPrice" WHEN p.side = 'LONG' THEN q.bid ELSE q.ask END AS mark) m
    WHERE ${scope} AND p.status::text = ANY(${[...ACTIVE_POSITION_STATUSES]}::text[])
    GROUP BY p."traderId"`
}

function figuresFor(
  rows: ScopeRows,
  opts: { traderId?: string; now: number; duplicateWindowSeconds?: number | null; cooldownMinutes?: number | null; pnlPeak: Decimal; closedRecent: { realizedPnl: { toString(): string } }[] },
): ScopeFigures {
  const inScope = (r: { traderId: string }) => !opts.traderId || r.traderId === opts.traderId
  const { dayStart } = rows
  const entriesSince = entriesSinceFor(dayStart, opts.now, opts.cooldownMinutes)
  const traders = rows.traders.filter((t) => !opts.traderId || t.id === opts.traderId)
  const open = rows.openByTrader.filter(inScope)
  const closedToday = rows.closedToday.filter(inScope)
  const recentEntryRows = rows.recentEntryRows.filter((e) => inScope(e) && e.createdAt >= entriesSince)
  const quoteBy = new Map(rows.quotes.map((q) => [q.symbol, q]))

  const unrealized = sumDec(open.map((a) => fromDb(a.unrealized)))
  const exposure = sumDec(open.map((a) => fromDb(a.exposure)))
  const realizedOpen = sumDec(open.map((a) => fromDb(a.realized)))
  const dailyPnl = sumDec(closedToday.map((p) => fromDb(p.realizedPnl))).plus(unrealized).plus(realizedOpen)

  const allTimeRealized = sumDec(rows.realizedByTrader.filter(inScope).map((r) => fromDb(r._sum.realizedPnl ?? 0)))
  const pnlNow = allTimeRealized.plus(realizedOpen).plus(unrealized)

  let equity = ZERO
  const seen = new Set<string>()
  for (const t of traders) {
    if (seen.has(t.accountId)) continue
    seen.add(t.accountId)
    equity = equity.plus(valueBalances(t.account.balances, t.account.quoteCurrency, rows.markets, quoteBy).equity)
  }

  const peak = maxDec(opts.pnlPeak, pnlNow)
  const lastEntryAtBySymbol: Record<string, number> = {}
  for (const e of recentEntryRows) lastEntryAtBySymbol[e.symbol] = Math.max(lastEntryAtBySymbol[e.symbol] ?? 0, e.createdAt.getTime())
  const windowMs = (opts.duplicateWindowSeconds ?? 0) * 1000
  return {
    pnlNow,
    state: {
      equity,
      openPositions: open.reduce((n, a) => n + a.n, 0),
      exposureQuote: exposure,
      dailyPnl,
      // Relative to the equity at the peak, so a 10% drawdown means 10% of what was there then.
      drawdownPct: drawdownPct(peak, pnlNow, equity.minus(pnlNow).plus(peak)),
      tradesToday: recentEntryRows.filter((e) => e.createdAt >= dayStart).length,
      lastEntryAtBySymbol,
      consecutiveLosses: consecutiveLossesFrom(opts.closedRecent.map((p) => fromDb(p.realizedPnl))),
      recentEntries: recentEntryRows.filter((e) => opts.now - e.createdAt.getTime() <= windowMs).map((e) => ({ symbol: e.symbol, side: e.side, at: e.createdAt.getTime() })),
    },
  }
}

import type { SqlTx } from '@/lib/db/sql-tx'
import { Prisma, type AccountMode } from '@/lib/generated/prisma/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { maxDec, sumDec, ZERO, type Decimal } from '@/lib/domain/decimal'
import { drawdownPct, consecutiveLossesFrom } from '@/lib/domain/risk/breakers'
import { tradesOfLegs } from '@/lib/domain/performance/group-trades'
import type { RiskState } from '@/lib/domain/risk/check-order-risk'
import { tradingDayStart } from '@/lib/domain/risk/trading-day'
import { valueBalances } from '@/lib/server/accounts/account-equity'
import { beforeDaySql, EXIT_SIDE_SQL, unrealizedSql } from './day-pnl-mark'


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
 * The risk state of one trader, or of all of a user's traders (every book together; the limits
 * judge each book apart, see loadUserRiskStates), computed from the ledger:
 * positions and their realized PnL, open positions marked at the latest quotes, and each
 * account's equity. Daily figures use the user's calendar day.
 *
 * dailyPnl = the PnL (realized, and unrealized at the mark) of positions closed today and of
 * open ones, each counted from its day mark when it was held into today (see markDayStart), else
 * from its entry; partial closes of a still-open position are counted with it. So a loss shows as
 * soon as it is on the books, and a position held overnight brings only today's change.
 */
export async function loadRiskState(
  tx: SqlTx,
  opts: { userId: string; traderId?: string; timeZone: string; now: number; duplicateWindowSeconds?: number | null; cooldownMinutes?: number | null; pnlPeak: Decimal },
): Promise<ScopeFigures> {
  const rows = await loadScopeRows(tx, { userId: opts.userId, only: opts.traderId ? { traderId: opts.traderId } : undefined, timeZone: opts.timeZone, now: opts.now, windows: [opts] })
  return figuresFor(rows, { ...opts, traderIds: opts.traderId ? new Set([opts.traderId]) : undefined, closedRecent: tradesOf(rows.closedRecent) })
}

/**
 * A user's book: the traders whose accounts share a mode and a quote currency. User-wide limits
 * are judged per book: paper, testnet and live money are never added up (paper equity would
 * dilute a live account's loss and exposure percentages, paper positions count against live
 * ones), and neither are amounts in different currencies.
 */
export interface Book {
  mode: AccountMode
  quoteCurrency: string
}

export const bookKey = (b: Book): string => `${b.mode}:${b.quoteCurrency}`

/** How a person reads a book: "paper USDT". */
export const bookLabel = (b: Book): string => `${b.mode.toLowerCase()} ${b.quoteCurrency}`

/** A book, its traders, and their figures together. */
export interface BookFigures {
  book: Book
  traderIds: string[]
  figures: ScopeFigures
}

/**
 * One trader's state and its book's (its user's traders in its book) state for an entry check,
 * from one read of that book's ledger: the trader's figures are the book's rows filtered to it,
 * with exactly the same definitions as loadRiskState (which this must agree with). `user` gives
 * the book's peak.
 */
export async function loadTraderAndUserRiskState(
  tx: SqlTx,
  opts: { userId: string; traderId: string; timeZone: string; now: number; trader: ScopeLimits; user: ScopeLimits },
): Promise<{ trader: ScopeFigures; user: ScopeFigures }> {
  const r = await loadUserRiskStates(tx, { ...opts, only: { bookOf: opts.traderId }, traders: [{ id: opts.traderId, ...opts.trader }], user: { ...opts.user, peakOf: () => opts.user.pnlPeak } })
  const [book] = r.books.values()
  return { trader: r.traders.get(opts.traderId)!, user: book!.figures }
}

/**
 * Every listed trader's state and each of the user's books' state (see Book) from one read of
 * the user's ledger (or of one trader's book: `only`), plus each trader's latest closes for its
 * losing streak: what the loss breakers check.
 */
export async function loadUserRiskStates(
  tx: SqlTx,
  opts: {
    userId: string; timeZone: string; now: number; traders: (ScopeLimits & { id: string })[]
    user: Omit<ScopeLimits, 'pnlPeak'> & { peakOf: (book: Book) => Decimal }
    only?: { bookOf: string }
  },
): Promise<{ traders: Map<string, ScopeFigures>; books: Map<string, BookFigures> }> {
  const rows = await loadScopeRows(tx, { userId: opts.userId, only: opts.only, timeZone: opts.timeZone, now: opts.now, windows: [...opts.traders, opts.user], streaksOf: opts.traders.map((t) => t.id) })
  const base = { userId: opts.userId, timeZone: opts.timeZone, now: opts.now }
  const byBook = new Map<string, { book: Book; traderIds: string[] }>()
  for (const t of rows.traders) {
    const key = bookKey(t)
    if (!byBook.has(key)) byBook.set(key, { book: { mode: t.mode, quoteCurrency: t.quoteCurrency }, traderIds: [] })
    byBook.get(key)!.traderIds.push(t.id)
  }
  const books = new Map([...byBook].map(([key, b]): [string, BookFigures] => {
    const traderIds = new Set(b.traderIds)
    const closedRecent = tradesOf(rows.closedRecent.filter((c) => traderIds.has(c.traderId)))
    return [key, { ...b, figures: figuresFor(rows, { ...base, ...opts.user, pnlPeak: opts.user.peakOf(b.book), traderIds, closedRecent }) }]
  }))
  return {
    traders: new Map(opts.traders.map((t) => [t.id, figuresFor(rows, { ...base, ...t, traderIds: new Set([t.id]), closedRecent: tradesOf(rows.streaks.get(t.id) ?? []) })])),
    books,
  }
}

// The losing streak looks at no more than this many of the latest closed positions.
const STREAK_WINDOW = 50

// Active positions (not terminal: neither CLOSED nor FAILED), written as the partial indexes over
// them are defined, so that an entry's risk read goes through those indexes and not the history.
const ACTIVE_SQL = Prisma.sql`p.status NOT IN ('CLOSED', 'FAILED')`

/**
 * A trader's latest closes, newest first, through Position_closed_trader_idx (a few rows, whatever
 * the history); with `after`, only those closed after it.
 */
export function latestClosesSql(traderId: Prisma.Sql, after?: Prisma.Sql) {
  const since = after ? Prisma.sql`AND (${after} IS NULL OR p."closedAt" > ${after})` : Prisma.empty
  return Prisma.sql`
    SELECT p."realizedPnl"::text AS "realizedPnl", p."groupId", p."closedAt", p."traderId" FROM "Position" p
    WHERE p."traderId" = ${traderId} AND p.status = 'CLOSED' ${since}
    ORDER BY p."closedAt" DESC LIMIT ${STREAK_WINDOW}`
}

type ClosedRow = { realizedPnl: string; groupId: string | null }

function tradesOf(rows: ClosedRow[]): { realizedPnl: Decimal }[] {
  return tradesOfLegs(rows.map((r) => ({ groupId: r.groupId, pnl: fromDb(r.realizedPnl), fees: ZERO }))).map((t) => ({ realizedPnl: t.pnl }))
}

type EntryWindows = Pick<ScopeLimits, 'cooldownMinutes' | 'duplicateWindowSeconds'>

/** Entries far enough back for today's count, the cooldown and the duplicate window, which may reach into yesterday. */
function entriesSinceFor(dayStart: Date, now: number, w: EntryWindows) {
  return new Date(Math.min(dayStart.getTime(), now - (w.cooldownMinutes ?? 0) * 60_000, now - (w.duplicateWindowSeconds ?? 0) * 1000))
}

type ScopeRows = Awaited<ReturnType<typeof loadScopeRows>>

type ScopeJson = {
  traders: { id: string; accountId: string; mode: AccountMode; quoteCurrency: string }[]
  balances: { accountId: string; asset: string; amount: string }[]
  markets: { symbol: string; base: string; quote: string }[]
  quotes: { symbol: string; bid: string; ask: string }[]
  openByTrader: OpenAggregate[]
  plannedByTrader: { traderId: string; notional: string }[]
  closedToday: { traderId: string; dayPnl: string }[]
  closedRecent: (ClosedRow & { traderId: string })[]
  streaks: (ClosedRow & { traderId: string })[]
  recentEntries: { traderId: string; symbol: string; side: 'LONG' | 'SHORT'; createdMs: number }[]
  realizedByTrader: { traderId: string; realized: string }[]
}

/**
 * Every row a scope's figures need, bounded by what the limits look at, in one statement: the
 * traders (all of the user's, one, or those in one trader's book) and their accounts' balances
 * (with the markets and quotes that value them), open positions summed per trader (and open
 * groups' legs not sent yet), today's closes, entries since the day start (or the cooldown or duplicate window), each book's latest
 * closes for the streak, each of `streaksOf`'s latest closes since a person last resumed it (its
 * own streak), and each trader's realized PnL of all its closes (its running total, TraderTotals).
 * None of it reads the closed history beyond today's closes and the latest few.
 */
async function loadScopeRows(tx: SqlTx, o: { userId: string; only?: { traderId: string } | { bookOf: string }; timeZone: string; now: number; windows: EntryWindows[]; streaksOf?: string[] }) {
  const dayStart = new Date(tradingDayStart(o.now, o.timeZone))
  const entriesSince = new Date(Math.min(...o.windows.map((w) => entriesSinceFor(dayStart, o.now, w).getTime())))
  const list = (q: Prisma.Sql, order = Prisma.empty) => Prisma.sql`(SELECT COALESCE(jsonb_agg(to_jsonb(x) ${order}), '[]'::jsonb) FROM (${q}) x)`
  const inScope = Prisma.sql`p."traderId" IN (SELECT id FROM tr)`
  const [r] = await tx.$queryRaw<{ scope: ScopeJson }[]>`
    WITH tr AS (
      SELECT t.id, t."accountId", a.mode::text AS mode, a."quoteCurrency" FROM "Trader" t JOIN "ExchangeAccount" a ON a.id = t."accountId"
      WHERE ${
        !o.only ? Prisma.sql`t."userId" = ${o.userId}`
        : 'traderId' in o.only ? Prisma.sql`t.id = ${o.only.traderId}`
        : Prisma.sql`t."userId" = ${o.userId} AND (a.mode, a."quoteCurrency") = (
            SELECT a2.mode, a2."quoteCurrency" FROM "Trader" t2 JOIN "ExchangeAccount" a2 ON a2.id = t2."accountId" WHERE t2.id = ${o.only.bookOf})`
      }
    ), bal AS (
      SELECT b."accountId", b.asset, b.amount::text AS amount, a."quoteCurrency" FROM "PaperBalance" b JOIN "ExchangeAccount" a ON a.id = b."accountId"
      WHERE b."accountId" IN (SELECT "accountId" FROM tr)
    ), mk AS (
      -- The few (asset, currency) pairs first: joining the balances to the traders row by row grew
      -- with both (80 ms at 300 traders).
      SELECT r.symbol, r.base, r.quote FROM (SELECT DISTINCT asset, "quoteCurrency" FROM bal) x JOIN "MarketRule" r ON r.base = x.asset AND r.quote = x."quoteCurrency"
    )
    SELECT jsonb_build_object(
      'traders', ${list(Prisma.sql`SELECT id, "accountId", mode, "quoteCurrency" FROM tr`)},
      'balances', ${list(Prisma.sql`SELECT "accountId", asset, amount FROM bal`)},
      'markets', ${list(Prisma.sql`SELECT * FROM mk`)},
      'quotes', ${list(Prisma.sql`SELECT q.symbol, q.bid::text AS bid, q.ask::text AS ask FROM "MarketQuote" q WHERE q.symbol IN (SELECT symbol FROM mk)`)},
      'openByTrader', ${list(openAggregatesSql(inScope, dayStart))},
      -- The legs of open position groups planned and not sent yet (waiting for a resting slot), at
      -- their limit prices: they were counted when their pyramid was planned, and will be placed
      -- without another check, so other entries must not take their room meanwhile.
      'plannedByTrader', ${list(Prisma.sql`
        SELECT g."traderId", sum(gl.qty * gl.price)::text AS notional FROM "GroupLeg" gl JOIN "PositionGroup" g ON g.id = gl."groupId"
        WHERE g."traderId" IN (SELECT id FROM tr) AND g.status = 'OPEN' AND gl.status = 'PLANNED' GROUP BY g."traderId"`)},
      'closedToday', ${list(closedTodaySql(inScope, dayStart))},
      -- The latest closes of each book (its losing streak): a book's own, however busy the others.
      'closedRecent', ${list(Prisma.sql`
        SELECT c.* FROM (SELECT DISTINCT mode, "quoteCurrency" FROM tr) b CROSS JOIN LATERAL (
          SELECT l.* FROM tr CROSS JOIN LATERAL (${latestClosesSql(Prisma.sql`tr.id`)}) l
          WHERE tr.mode = b.mode AND tr."quoteCurrency" = b."quoteCurrency"
          ORDER BY l."closedAt" DESC LIMIT ${STREAK_WINDOW}) c`, Prisma.sql`ORDER BY x."closedAt" DESC`)},
      -- The losing streak of each trader asked for: its latest closes since a person last resumed it.
      'streaks', ${list(Prisma.sql`
        SELECT l.* FROM "Trader" t CROSS JOIN LATERAL (${latestClosesSql(Prisma.sql`t.id`, Prisma.sql`t."lossStreakFrom"`)}) l
        WHERE t.id = ANY(${o.streaksOf ?? []}::text[])`, Prisma.sql`ORDER BY x."traderId", x."closedAt" DESC`)},
      'recentEntries', ${list(recentEntriesSql(inScope, entriesSince))},
      'realizedByTrader', ${list(Prisma.sql`SELECT "traderId", "closedRealizedPnl"::text AS realized FROM "TraderTotals" WHERE "traderId" IN (SELECT id FROM tr)`)}
    ) AS scope`
  const j = r!.scope
  const balancesBy = groupBy(j.balances, (b) => b.accountId)
  const traders = j.traders.map((t) => ({ id: t.id, accountId: t.accountId, mode: t.mode, quoteCurrency: t.quoteCurrency, account: { quoteCurrency: t.quoteCurrency, balances: balancesBy.get(t.accountId) ?? [] } }))
  const byTrader = <T extends { traderId: string }>(list: T[]) => groupBy(list, (r) => r.traderId)
  return {
    dayStart,
    traders,
    closedRecent: j.closedRecent,
    streaks: byTrader(j.streaks),
    byTrader: {
      traders: groupBy(traders, (t) => t.id),
      openByTrader: byTrader(j.openByTrader),
      plannedByTrader: byTrader(j.plannedByTrader),
      closedToday: byTrader(j.closedToday),
      recentEntryRows: byTrader(j.recentEntries.map((e) => ({ traderId: e.traderId, symbol: e.symbol, side: e.side, createdAt: new Date(e.createdMs) }))),
      realizedByTrader: byTrader(j.realizedByTrader),
    },
    quotes: j.quotes.map((q) => ({ symbol: q.symbol, bid: fromDb(q.bid), ask: fromDb(q.ask) })),
    markets: j.markets,
  }
}

/** A scope's positions closed since `dayStart`, with their PnL of the day, through Position_closed_trader_idx. */
export function closedTodaySql(scope: Prisma.Sql, dayStart: Date) {
  return Prisma.sql`
    SELECT p."traderId", (p."realizedPnl" - ${beforeDaySql(dayStart)})::text AS "dayPnl" FROM "Position" p
    WHERE ${scope} AND p.status = 'CLOSED' AND p."closedAt" >= ${dayStart}::timestamp(3)`
}

/**
 * A scope's entries since `since` (not FAILED), through Position_traderId_createdAt_idx. A pyramid
 * is one entry: its DCA legs (group legs after the first) are not counted again.
 */
export function recentEntriesSql(scope: Prisma.Sql, since: Date) {
  return Prisma.sql`
    SELECT p."traderId", p.symbol, p.side::text AS side, (extract(epoch from p."createdAt") * 1000)::float8 AS "createdMs"
    FROM "Position" p LEFT JOIN "GroupLeg" gl ON gl.id = p."groupLegId"
    WHERE ${scope} AND p."createdAt" >= ${since}::timestamp(3) AND p.status <> 'FAILED' AND (p."groupLegId" IS NULL OR gl.index = 0)`
}

/** Rows by key, each group in the rows' order (Map.groupBy is not in Node 20). */
function groupBy<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const by = new Map<string, T[]>()
  for (const r of rows) {
    const of = by.get(key(r))
    if (of) of.push(r)
    else by.set(key(r), [r])
  }
  return by
}

type OpenAggregate = { traderId: string; n: number; exposure: string; unrealized: string; realized: string; today: string }

/**
 * The active positions of a scope summed per trader in PostgreSQL (exact numeric), so the state
 * costs one small row per trader instead of every open position's row through the client:
 * - n: the open positions, a position group's legs counting as one;
 * - exposure: the open quantity at its mark, plus what a resting entry may still buy at its
 *   limit (a market entry not yet filled: at the mark), since it can fill at any moment;
 * - unrealized: at the mark (EXIT_SIDE_SQL, unrealizedSql);
 * - realized: what partial closes of still-open positions have realized;
 * - today: their PnL since the day starting at `dayStart` (beforeDaySql).
 */
export function openAggregatesSql(scope: Prisma.Sql, dayStart: Date) {
  return Prisma.sql`
    SELECT p."traderId", count(DISTINCT COALESCE(p."groupId", p.id))::int AS n,
      COALESCE(sum(CASE WHEN p."openQty" = 0 THEN p."requestedQty" * COALESCE(p."limitPrice", m.mark)
        ELSE p."openQty" * m.mark + CASE WHEN p."entryQty" < p."requestedQty" AND EXISTS (
          SELECT 1 FROM "Order" o WHERE o."positionId" = p.id AND o.purpose = 'ENTRY' AND o.status IN ('NEW', 'SUBMITTED', 'PARTIALLY_FILLED')
        ) THEN (p."requestedQty" - p."entryQty") * COALESCE(p."limitPrice", m.mark) ELSE 0 END END), 0)::text AS exposure,
      COALESCE(sum(u.unrealized), 0)::text AS unrealized,
      COALESCE(sum(p."realizedPnl"), 0)::text AS realized,
      COALESCE(sum(p."realizedPnl" + u.unrealized - ${beforeDaySql(dayStart)}), 0)::text AS today
    FROM "Position" p
    JOIN "Trader" t ON t.id = p."traderId"
    LEFT JOIN "MarketQuote" q ON q.symbol = p.symbol
    CROSS JOIN LATERAL (SELECT CASE WHEN q.symbol IS NULL THEN p."avgEntryPrice" ELSE ${EXIT_SIDE_SQL} END AS mark) m
    CROSS JOIN LATERAL (SELECT ${unrealizedSql(Prisma.sql`m.mark`)} AS unrealized) u
    WHERE ${scope} AND ${ACTIVE_SQL}
    GROUP BY p."traderId"`
}

function figuresFor(
  rows: ScopeRows,
  opts: { traderIds?: ReadonlySet<string>; now: number; duplicateWindowSeconds?: number | null; cooldownMinutes?: number | null; pnlPeak: Decimal; closedRecent: { realizedPnl: { toString(): string } }[] },
): ScopeFigures {
  // The scope's rows, looked up per trader (the breakers' pass asks once per trader: filtering
  // every list each time was quadratic in the user's traders).
  const scoped = <T>(by: Map<string, T[]>): T[] => (opts.traderIds ? [...opts.traderIds].flatMap((id) => by.get(id) ?? []) : [...by.values()].flat())
  const { dayStart } = rows
  const entriesSince = entriesSinceFor(dayStart, opts.now, opts)
  const traders = scoped(rows.byTrader.traders)
  const open = scoped(rows.byTrader.openByTrader)
  const closedToday = scoped(rows.byTrader.closedToday)
  const recentEntryRows = scoped(rows.byTrader.recentEntryRows).filter((e) => e.createdAt >= entriesSince)
  const quoteBy = new Map(rows.quotes.map((q) => [q.symbol, q]))

  const unrealized = sumDec(open.map((a) => fromDb(a.unrealized)))
  const exposure = sumDec(open.map((a) => fromDb(a.exposure))).plus(sumDec(scoped(rows.byTrader.plannedByTrader).map((l) => fromDb(l.notional))))
  const realizedOpen = sumDec(open.map((a) => fromDb(a.realized)))
  const dailyPnl = sumDec(closedToday.map((p) => fromDb(p.dayPnl))).plus(sumDec(open.map((a) => fromDb(a.today))))

  const allTimeRealized = sumDec(scoped(rows.byTrader.realizedByTrader).map((r) => fromDb(r.realized)))
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

import type { SqlTx } from '@/lib/db/sql-tx'
import { Prisma, type AccountMode } from '@/lib/generated/prisma/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { maxDec, sumDec, ZERO, type Decimal } from '@/lib/domain/decimal'
import { drawdownPct, consecutiveLossesFrom } from '@/lib/domain/risk/breakers'
import { tradesOfLegs } from '@/lib/domain/performance/group-trades'
import { NO_ENTRIES, type EntryTotals } from '@/lib/domain/risk/entries-since'
import type { RiskState } from '@/lib/domain/risk/check-order-risk'
import type { LimitReads } from '@/lib/domain/risk/risk-limits'
import { tradingDay, tradingDayStart } from '@/lib/domain/risk/trading-day'
import { valueBalances } from '@/lib/server/accounts/account-equity'
import { batchPerKey } from '@/lib/server/concurrency/batch-per-key'
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
  /**
   * Whether its limits look at its entries (the pace limits) and at its latest closes (its losing
   * streak; see limitReads): what none looks at is not read. Unset: both are read.
   */
  reads?: LimitReads
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
  const rows = await loadScopeRows(tx, { userId: opts.userId, only: opts.traderId ? { traderId: opts.traderId } : undefined, timeZone: opts.timeZone, now: opts.now, windows: [opts], detail: [] })
  // One trader's scope is the book it alone makes up.
  return figuresFor(rows.dayStart, combined([...rows.books.values()].map((b) => b.read)), { ...opts, lossStreak: lossStreakOf(rows.closedRecent) })
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

type EntryRead = { tx: SqlTx; userId: string; traderId: string; timeZone: string; now: number; trader: ScopeLimits; user: ScopeLimits }

const readsOf = (s: ScopeLimits): LimitReads => s.reads ?? { entries: true, closes: true }

/** One read of a book for the traders of `reads` (each comes back on its own), on the first one's transaction. */
function readBookFor(reads: EntryRead[]) {
  const first = reads[0]!
  const ids = (pick: (r: EntryRead) => boolean) => [...new Set(reads.filter(pick).map((r) => r.traderId))]
  return loadScopeRows(first.tx, {
    userId: first.userId, timeZone: first.timeZone,
    // The earliest entry's moment: entries are read back far enough for every one of them.
    now: Math.min(...reads.map((r) => r.now)),
    only: { bookOf: first.traderId }, windows: reads.flatMap((r) => [r.trader, r.user]), detail: ids(() => true),
    entriesOf: readsOf(first.user).entries ? 'all' : ids((r) => readsOf(r.trader).entries),
    streaksOf: ids((r) => readsOf(r.trader).closes),
    bookCloses: readsOf(first.user).closes,
  })
}

/**
 * Reads of one book for entries made at once, one statement for all (see batchPerKey): each
 * entry's trader comes back on its own, the book's sums once. A read of the book costs as much
 * as the book holds (its open positions, today's entries), so a burst of entries across a user's
 * traders no longer pays it once per entry. Every read starts after each entry it answers asked
 * for it, after that entry's trader lock: what each entry reads is as fresh as if it had read
 * alone. It runs on one of those entries' transactions, which is why only reads made before an
 * entry writes anything come here. Keyed by everything the entries must share: the book, its
 * trading day (a burst across midnight reads in two), and what the user's limits read (the same
 * for every trader of a user, unless changed in between). A read that failed says on whose
 * transaction it ran: the other entries read again alone, so that a fault of one entry's
 * connection is not theirs.
 */
const bookReads = batchPerKey((_key, reads: EntryRead[]) =>
  readBookFor(reads).then(
    (rows) => ({ rows }),
    (error: unknown) => ({ error, ranOn: reads[0]!.tx }),
  ),
)

async function sharedRead(book: Book, read: EntryRead) {
  // The day by its name: with the zone in the key it tells the day apart as well as its start,
  // which loadScopeRows works out (by bisection) once per read, not once per entry.
  const key = [read.userId, bookKey(book), read.timeZone, tradingDay(read.now, read.timeZone), JSON.stringify(readsOf(read.user))].join('|')
  const shared = await bookReads(key, read)
  if ('rows' in shared) return shared.rows
  if (shared.ranOn === read.tx) throw shared.error
  return readBookFor([read])
}

/**
 * One trader's state and its book's (its user's traders in its book) state for an entry check,
 * from one read of that book's ledger, with exactly the same definitions as loadRiskState (which
 * this must agree with). `user` gives the book's peak. Only the entry's trader's own figures and
 * the book's sums come back (PostgreSQL adds the book up). `bookEntries`: the book's entry totals
 * as the read saw them (BookEntryTotals). `sharedIn`: the book, for an entry's read made before
 * its transaction writes anything, which entries of the book made at once share (see bookReads).
 */
export async function loadTraderAndUserRiskState(
  tx: SqlTx,
  opts: { userId: string; traderId: string; timeZone: string; now: number; trader: ScopeLimits; user: ScopeLimits; sharedIn?: Book },
): Promise<{ trader: ScopeFigures; user: ScopeFigures; bookEntries: EntryTotals }> {
  const base = { timeZone: opts.timeZone, now: opts.now }
  const read: EntryRead = { tx, userId: opts.userId, traderId: opts.traderId, timeZone: opts.timeZone, now: opts.now, trader: opts.trader, user: opts.user }
  const rows = opts.sharedIn ? await sharedRead(opts.sharedIn, read) : await readBookFor([read])
  const [book] = rows.books.values()
  return {
    trader: traderFigures(rows, { ...base, ...opts.trader, id: opts.traderId }),
    user: figuresFor(rows.dayStart, book?.read ?? EMPTY, { ...base, ...opts.user, lossStreak: lossStreakOf(rows.closedRecent) }),
    bookEntries: book?.entryTotals ?? NO_ENTRIES,
  }
}

/**
 * Every listed trader's state and each of the user's books' state (see Book) from one read of
 * the user's ledger, plus each trader's latest closes for its losing streak: what the loss
 * breakers check. They judge losses only: the entries (the pace figures) are not read.
 */
export async function loadUserRiskStates(
  tx: SqlTx,
  opts: {
    userId: string; timeZone: string; now: number; traders: (ScopeLimits & { id: string })[]
    user: Omit<ScopeLimits, 'pnlPeak'> & { peakOf: (book: Book) => Decimal }
  },
): Promise<{ traders: Map<string, ScopeFigures>; books: Map<string, BookFigures> }> {
  const base = { timeZone: opts.timeZone, now: opts.now }
  const rows = await loadScopeRows(tx, { ...base, userId: opts.userId, windows: [], entriesOf: [], streaksOf: opts.traders.map((t) => t.id), detail: 'all' })
  const traderIdsBy = groupBy([...rows.traders], ([, t]) => bookKey(t.book))
  const closedRecentBy = groupBy(rows.closedRecent, bookKey)
  const books = new Map([...rows.books].map(([key, b]): [string, BookFigures] => [key, {
    book: b.book,
    traderIds: (traderIdsBy.get(key) ?? []).map(([id]) => id),
    figures: figuresFor(rows.dayStart, b.read, { ...base, ...opts.user, pnlPeak: opts.user.peakOf(b.book), lossStreak: lossStreakOf(closedRecentBy.get(key) ?? []) }),
  }]))
  return { traders: new Map(opts.traders.map((t) => [t.id, traderFigures(rows, { ...base, ...t })])), books }
}

/** A trader's figures from rows that hold its own (see ScopeQuery.detail), with its losing streak since it was last resumed. */
function traderFigures(rows: ScopeRows, t: ScopeLimits & { id: string; now: number }): ScopeFigures {
  return figuresFor(rows.dayStart, rows.traders.get(t.id)?.read ?? EMPTY, { ...t, lossStreak: lossStreakOf(rows.streaks.get(t.id) ?? []) })
}

// The losing streak looks at no more than this many of the latest closed positions.
const STREAK_WINDOW = 50

// Active positions (not terminal: neither CLOSED nor FAILED), written as the partial indexes over
// them are defined, so that an entry's risk read goes through those indexes and not the history.
const ACTIVE_SQL = Prisma.sql`p.status NOT IN ('CLOSED', 'FAILED')`

/**
 * A trader's latest closes, newest first, through Position_closed_trader_idx (a few rows, whatever
 * the history); with `where` (a condition on p), only those it holds for.
 */
export function latestClosesSql(traderId: Prisma.Sql, where?: Prisma.Sql) {
  return Prisma.sql`
    SELECT p.id, p."realizedPnl"::text AS "realizedPnl", p."groupId", p."closedAt", p."traderId" FROM "Position" p
    WHERE p."traderId" = ${traderId} AND p.status = 'CLOSED' ${where ? Prisma.sql`AND ${where}` : Prisma.empty}
    ORDER BY p."closedAt" DESC, p.id DESC LIMIT ${STREAK_WINDOW}`
}

type ClosedRow = { realizedPnl: string; groupId: string | null }

/**
 * The losing streak of closes given newest first, a position group's legs counting as one trade
 * (tradesOfLegs). Each close is parsed once: the breakers' pass reads every trader's, and parsing
 * their decimals cost more than reading them (a trader's are sent only up to its newest win when
 * none is a group's leg, see scopeRowsSql's streaks).
 */
function lossStreakOf(rows: ClosedRow[]): number {
  return consecutiveLossesFrom(tradesOfLegs(rows.map((r) => ({ groupId: r.groupId, pnl: fromDb(r.realizedPnl), fees: ZERO }))).map((t) => t.pnl))
}

type EntryWindows = Pick<ScopeLimits, 'cooldownMinutes' | 'duplicateWindowSeconds'>

/** Entries far enough back for today's count, the cooldown and the duplicate window, which may reach into yesterday. */
function entriesSinceFor(dayStart: Date, now: number, w: EntryWindows) {
  return new Date(Math.min(dayStart.getTime(), now - (w.cooldownMinutes ?? 0) * 60_000, now - (w.duplicateWindowSeconds ?? 0) * 1000))
}

/** A scope's figures summed in PostgreSQL (exact decimals as text). */
type SumsJson = { n: number; exposure: string; unrealized: string; realizedOpen: string; dailyPnl: string; realized: string }
/** A scope's entries since the read's earliest window, per symbol and side: the latest, and how many were today. */
type EntryJson = { symbol: string; side: 'LONG' | 'SHORT'; lastMs: number; today: number }
type Balance = { asset: string; amount: string }

type ScopeJson = {
  traders: (SumsJson & { id: string; accountId: string; mode: AccountMode; quoteCurrency: string })[]
  balances: (Balance & { accountId: string })[]
  entries: (EntryJson & { traderId: string })[]
  books: (SumsJson & Book & { balances: Balance[] })[]
  bookEntries: (EntryJson & Book)[]
  markets: { symbol: string; base: string; quote: string }[]
  quotes: { symbol: string; bid: string; ask: string }[]
  closedRecent: (ClosedRow & Book & { traderId: string })[]
  streaks: { traderId: string; pnl: string[]; groups: (string | null)[] }[]
  entryTotals: (Book & { entries: number; openedPositions: number; notional: string })[]
}

/** What a scope's figures are made of. */
interface ScopeRead {
  sums: { n: number; exposure: Decimal; unrealized: Decimal; realizedOpen: Decimal; dailyPnl: Decimal; realized: Decimal }
  equity: Decimal
  entries: EntryJson[]
}

// A scope with nothing in it (a trader removed as its entry was checked).
const EMPTY: ScopeRead = { sums: { n: 0, exposure: ZERO, unrealized: ZERO, realizedOpen: ZERO, dailyPnl: ZERO, realized: ZERO }, equity: ZERO, entries: [] }

/** Several scopes as one: sums added, entries side by side. */
function combined(reads: ScopeRead[]): ScopeRead {
  const add = (k: Exclude<keyof ScopeRead['sums'], 'n'>) => sumDec(reads.map((r) => r.sums[k]))
  return {
    sums: { n: reads.reduce((n, r) => n + r.sums.n, 0), exposure: add('exposure'), unrealized: add('unrealized'), realizedOpen: add('realizedOpen'), dailyPnl: add('dailyPnl'), realized: add('realized') },
    equity: sumDec(reads.map((r) => r.equity)),
    entries: reads.flatMap((r) => r.entries),
  }
}

type ScopeRows = Awaited<ReturnType<typeof loadScopeRows>>

async function loadScopeRows(tx: SqlTx, o: ScopeQuery) {
  const dayStart = new Date(tradingDayStart(o.now, o.timeZone))
  const [r] = await tx.$queryRaw<{ scope: ScopeJson }[]>(scopeRowsSql(o, dayStart))
  const j = r!.scope
  const quoteBy = new Map(j.quotes.map((q) => [q.symbol, { bid: fromDb(q.bid), ask: fromDb(q.ask) }]))
  const equityOf = (balances: Balance[], quoteCurrency: string) => valueBalances(balances, quoteCurrency, j.markets, quoteBy).equity
  const sumsOf = (s: SumsJson): ScopeRead['sums'] => ({
    n: s.n, exposure: fromDb(s.exposure), unrealized: fromDb(s.unrealized), realizedOpen: fromDb(s.realizedOpen), dailyPnl: fromDb(s.dailyPnl), realized: fromDb(s.realized),
  })
  const balancesBy = groupBy(j.balances, (b) => b.accountId)
  const entriesBy = groupBy(j.entries, (e) => e.traderId)
  const bookEntriesBy = groupBy(j.bookEntries, bookKey)
  const entryTotalsBy = new Map(j.entryTotals.map((e) => [bookKey(e), { entries: e.entries, openedPositions: e.openedPositions, notional: fromDb(e.notional) }]))
  const bookOf = (b: Book): Book => ({ mode: b.mode, quoteCurrency: b.quoteCurrency })
  return {
    dayStart,
    traders: new Map(j.traders.map((t) => [t.id, {
      book: bookOf(t),
      read: { sums: sumsOf(t), equity: equityOf(balancesBy.get(t.accountId) ?? [], t.quoteCurrency), entries: entriesBy.get(t.id) ?? [] },
    }])),
    // Valuing a book's balances summed per asset and sign is valuing each account's and adding up:
    // a holding is valued at the bid and a short at the ask (valueBalances), each linear in its amount.
    books: new Map(j.books.map((b) => [bookKey(b), {
      book: bookOf(b),
      read: { sums: sumsOf(b), equity: equityOf(b.balances, b.quoteCurrency), entries: bookEntriesBy.get(bookKey(b)) ?? [] },
      entryTotals: entryTotalsBy.get(bookKey(b)) ?? NO_ENTRIES,
    }])),
    closedRecent: j.closedRecent,
    streaks: new Map(j.streaks.map((s) => [s.traderId, s.pnl.map((realizedPnl, i): ClosedRow => ({ realizedPnl, groupId: s.groups[i] ?? null }))])),
  }
}

type ScopeQuery = {
  userId: string; only?: { traderId: string } | { bookOf: string }; timeZone: string; now: number; windows: EntryWindows[]; streaksOf?: string[]
  /** The traders whose own figures are read out besides their books': every one, or these. */
  detail: 'all' | string[]
  /** The traders whose entries are read (for their own and their books' pace figures): every one (the default), or these. */
  entriesOf?: 'all' | string[]
  /** Whether the books' latest closes are read (their losing streaks); by default they are. */
  bookCloses?: boolean
}

/**
 * loadScopeRows's one statement, for the day starting at `dayStart`. The traders in scope (all of
 * the user's, one, or those in one trader's book) are summed in PostgreSQL, trader by trader and
 * book by book, each from what its limits look at and nothing older:
 * - open positions (see openAggregatesSql) and open groups' legs not sent yet;
 * - positions closed today, and the realized PnL of all earlier closes (TraderTotals);
 * - the accounts' balances (the book's summed per asset and sign), with the markets and quotes that value them;
 * - entries since the day start (or the cooldown or duplicate window), per symbol and side, of `entriesOf`;
 * - each book's latest closes (its losing streak; unless `bookCloses` is false), and each of `streaksOf`'s since a person last resumed it;
 * - each book's entry totals (BookEntryTotals), in the same snapshot as the rest.
 * Only the traders in `detail` come back one by one, with their balances.
 */
export function scopeRowsSql(o: ScopeQuery, dayStart: Date) {
  const entriesSince = new Date(Math.min(dayStart.getTime(), ...o.windows.map((w) => entriesSinceFor(dayStart, o.now, w).getTime())))
  const entriesOf = !o.entriesOf || o.entriesOf === 'all' ? Prisma.sql`TRUE` : Prisma.sql`tr.id = ANY(${o.entriesOf}::text[])`
  const list = (q: Prisma.Sql, order = Prisma.empty) => Prisma.sql`(SELECT COALESCE(jsonb_agg(to_jsonb(x) ${order}), '[]'::jsonb) FROM (${q}) x)`
  const inScope = Prisma.sql`p."traderId" IN (SELECT id FROM tr)`
  // Whether the trader whose id is `id` is one of `detail`.
  const detailed = (id: Prisma.Sql) => (o.detail === 'all' ? Prisma.sql`TRUE` : Prisma.sql`${id} = ANY(${o.detail}::text[])`)
  const sums = (x: string, sum: (c: string) => string) =>
    Prisma.raw(['n', 'exposure', 'unrealized', 'realizedOpen', 'dailyPnl', 'realized']
      .map((c) => (c === 'n' ? `${sum(`${x}.n`)}::int AS n` : `${sum(`${x}."${c}"`)}::text AS "${c}"`)).join(', '))
  return Prisma.sql`
    WITH tr AS (
      -- From the user's traders to their accounts, each by its key (OFFSET 0 keeps the lateral
      -- subquery from being flattened into a join): without statistics on the accounts, the join
      -- was planned as a scan of every account of the book's kind, the installation's.
      SELECT t.id, t."accountId", a.mode::text AS mode, a."quoteCurrency"
      FROM "Trader" t CROSS JOIN LATERAL (SELECT a.mode, a."quoteCurrency" FROM "ExchangeAccount" a WHERE a.id = t."accountId" OFFSET 0) a
      WHERE ${
        !o.only ? Prisma.sql`t."userId" = ${o.userId}`
        : 'traderId' in o.only ? Prisma.sql`t.id = ${o.only.traderId}`
        : Prisma.sql`t."userId" = ${o.userId} AND (a.mode, a."quoteCurrency") = (
            SELECT a2.mode, a2."quoteCurrency" FROM "Trader" t2 JOIN "ExchangeAccount" a2 ON a2.id = t2."accountId" WHERE t2.id = ${o.only.bookOf})`
      }
    ), bal AS (
      SELECT b."accountId", b.asset, b.amount, a.mode::text AS mode, a."quoteCurrency" FROM "PaperBalance" b JOIN "ExchangeAccount" a ON a.id = b."accountId"
      WHERE b."accountId" IN (SELECT "accountId" FROM tr)
    ), mk AS (
      -- The few (asset, currency) pairs first: joining the balances to the traders row by row grew
      -- with both (80 ms at 300 traders).
      SELECT r.symbol, r.base, r.quote FROM (SELECT DISTINCT asset, "quoteCurrency" FROM bal) x JOIN "MarketRule" r ON r.base = x.asset AND r.quote = x."quoteCurrency"
    ), oa AS (${openAggregatesSql(inScope, dayStart)}
    ), pl AS (
      -- The legs of open position groups planned and not sent yet (waiting for a resting slot), at
      -- their limit prices: they were counted when their pyramid was planned, and will be placed
      -- without another check, so other entries must not take their room meanwhile.
      SELECT g."traderId", sum(gl.qty * gl.price) AS notional FROM "GroupLeg" gl JOIN "PositionGroup" g ON g.id = gl."groupId"
      WHERE g."traderId" IN (SELECT id FROM tr) AND g.status = 'OPEN' AND gl.status = 'PLANNED' GROUP BY g."traderId"
    ), ct AS (
      -- Trader by trader too: late in the day, a range on the close time over a big book was
      -- planned as a scan of Position.
      SELECT c."traderId", sum(c."dayPnl") AS "dayPnl" FROM tr CROSS JOIN LATERAL (${closedTodaySql(Prisma.sql`p."traderId" = tr.id`, dayStart)} OFFSET 0) c GROUP BY c."traderId"
    ), per AS (
      SELECT tr.id, tr."accountId", tr.mode, tr."quoteCurrency", COALESCE(oa.n, 0) AS n,
        COALESCE(oa.exposure, 0) + COALESCE(pl.notional, 0) AS exposure, COALESCE(oa.unrealized, 0) AS unrealized,
        COALESCE(oa.realized, 0) AS "realizedOpen", COALESCE(oa.today, 0) + COALESCE(ct."dayPnl", 0) AS "dailyPnl",
        COALESCE(tt."closedRealizedPnl", 0) AS realized
      FROM tr LEFT JOIN oa ON oa."traderId" = tr.id LEFT JOIN pl ON pl."traderId" = tr.id LEFT JOIN ct ON ct."traderId" = tr.id
        LEFT JOIN "TraderTotals" tt ON tt."traderId" = tr.id
    ), en AS (
      -- Read trader by trader through the trader's index (a lateral subquery; OFFSET 0 keeps it from
      -- being flattened into a join, which over a whole book, every position of a single user say,
      -- was planned as a scan of the history), then summed in one aggregate: an aggregate per trader
      -- cost more than reading its rows (600 traders, 21 entries each: 52 of the read's 78 ms).
      -- With each trader's book, so that what is read out of it joins nothing (joined to tr, whose
      -- size a generic plan may not know, it was planned as a loop over both).
      SELECT e."traderId", tr.mode, tr."quoteCurrency", e.symbol, e.side, max(e."createdMs") AS "lastMs",
        count(*) FILTER (WHERE e."createdMs" >= ${dayStart.getTime()}::float8)::int AS today
      FROM (SELECT * FROM tr WHERE ${entriesOf}) tr CROSS JOIN LATERAL (${recentEntriesSql(Prisma.sql`p."traderId" = tr.id`, entriesSince)} OFFSET 0) e
      GROUP BY e."traderId", tr.mode, tr."quoteCurrency", e.symbol, e.side
    )
    SELECT jsonb_build_object(
      'traders', ${list(Prisma.sql`SELECT tr.id, tr."accountId", tr.mode, tr."quoteCurrency", ${sums('tr', (c) => c)} FROM per tr WHERE ${detailed(Prisma.sql`tr.id`)}`)},
      'balances', ${list(Prisma.sql`SELECT "accountId", asset, amount::text AS amount FROM bal WHERE "accountId" IN (SELECT "accountId" FROM tr WHERE ${detailed(Prisma.sql`tr.id`)})`)},
      'entries', ${list(Prisma.sql`SELECT en."traderId", en.symbol, en.side, en."lastMs", en.today FROM en WHERE ${detailed(Prisma.sql`en."traderId"`)}`)},
      'books', ${list(Prisma.sql`
        SELECT b.mode, b."quoteCurrency", ${sums('b', (c) => `sum(${c})`)},
          (SELECT COALESCE(jsonb_agg(jsonb_build_object('asset', s.asset, 'amount', s.amount::text)), '[]'::jsonb) FROM (
             SELECT bal.asset, sum(bal.amount) AS amount FROM bal WHERE bal.mode = b.mode AND bal."quoteCurrency" = b."quoteCurrency"
             GROUP BY bal.asset, sign(bal.amount)) s) AS balances
        FROM per b GROUP BY b.mode, b."quoteCurrency"`)},
      'bookEntries', ${list(Prisma.sql`
        SELECT en.mode, en."quoteCurrency", en.symbol, en.side, max(en."lastMs") AS "lastMs", sum(en.today)::int AS today
        FROM en GROUP BY en.mode, en."quoteCurrency", en.symbol, en.side`)},
      'markets', ${list(Prisma.sql`SELECT * FROM mk`)},
      'quotes', ${list(Prisma.sql`SELECT q.symbol, q.bid::text AS bid, q.ask::text AS ask FROM "MarketQuote" q WHERE q.symbol IN (SELECT symbol FROM mk)`)},
      -- The latest closes of each book (its losing streak). The N traders that closed last (N: as
      -- many closes as the streak looks at) have N closes at or after the last close of the Nth,
      -- so those are all the book's latest: the other traders' and older closes are not read. A
      -- book with fewer traders than that reads each one's latest. (A bound the index can seek
      -- to: with an OR, every one of a trader's latest closes was read, then filtered.)
      'closedRecent', ${o.bookCloses === false ? Prisma.sql`'[]'::jsonb` : list(Prisma.sql`
        SELECT b.mode, b."quoteCurrency", c.* FROM (SELECT DISTINCT mode, "quoteCurrency" FROM tr) b CROSS JOIN LATERAL (
          SELECT l.* FROM (
            SELECT id, CASE WHEN count(*) OVER () = ${STREAK_WINDOW} THEN min(last) OVER () END AS since FROM (
              SELECT tr.id, tt."lastClosedAt" AS last FROM tr JOIN "TraderTotals" tt ON tt."traderId" = tr.id
              WHERE tr.mode = b.mode AND tr."quoteCurrency" = b."quoteCurrency" AND tt."lastClosedAt" IS NOT NULL
              ORDER BY tt."lastClosedAt" DESC LIMIT ${STREAK_WINDOW}) n
          ) last CROSS JOIN LATERAL (${latestClosesSql(Prisma.sql`last.id`, Prisma.sql`p."closedAt" >= COALESCE(last.since, '-infinity')`)}) l
          ORDER BY l."closedAt" DESC, l.id DESC LIMIT ${STREAK_WINDOW}) c`, Prisma.sql`ORDER BY x."closedAt" DESC, x.id DESC`)},
      -- The losing streak of each trader asked for: its latest closes since a person last resumed it.
      -- One row per trader, its closes as arrays: the breakers' pass asks for every trader's, and
      -- as an object per close the JSON cost most of the pass (130 ms of 200 at 600 traders). When
      -- none is a group's leg, only those up to its newest win (the streak ends there);
      -- else all of them, whose legs are summed into trades.
      'streaks', ${list(Prisma.sql`
        SELECT t.id AS "traderId", l.pnl, l.groups FROM "Trader" t CROSS JOIN LATERAL (
          SELECT array_agg(c."realizedPnl" ORDER BY c."closedAt" DESC, c.id DESC) AS pnl, array_agg(c."groupId" ORDER BY c."closedAt" DESC, c.id DESC) AS groups
          FROM (
            SELECT c.*, bool_or(c."groupId" IS NOT NULL) OVER () AS grouped,
              bool_or(c."groupId" IS NULL AND c."realizedPnl"::numeric > 0) OVER (ORDER BY c."closedAt" DESC, c.id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS "afterWin"
            FROM (${latestClosesSql(Prisma.sql`t.id`, Prisma.sql`(t."lossStreakFrom" IS NULL OR p."closedAt" > t."lossStreakFrom")`)}) c
          ) c WHERE c.grouped OR c."afterWin" IS NOT TRUE) l
        WHERE t.id = ANY(${o.streaksOf ?? []}::text[]) AND l.pnl IS NOT NULL`)},
      'entryTotals', ${list(Prisma.sql`
        SELECT b.mode::text AS mode, b."quoteCurrency", b.entries, b."openedPositions", b.notional::text AS notional FROM "BookEntryTotals" b
        WHERE b."userId" = ${o.userId} AND (b.mode::text, b."quoteCurrency") IN (SELECT DISTINCT mode, "quoteCurrency" FROM tr)`)}
    ) AS scope`
}

/** A scope's positions closed since `dayStart`, with their PnL of the day, through Position_closed_trader_idx. */
export function closedTodaySql(scope: Prisma.Sql, dayStart: Date) {
  return Prisma.sql`
    SELECT p."traderId", p."realizedPnl" - ${beforeDaySql(dayStart)} AS "dayPnl" FROM "Position" p
    WHERE ${scope} AND p.status = 'CLOSED' AND p."closedAt" >= ${dayStart}::timestamp(3)`
}

/**
 * A scope's entries since `since` (not FAILED), through Position_traderId_createdAt_idx. A pyramid
 * is one entry: its DCA legs (group legs after the first) are not counted again. Only a group's
 * legs look their leg up (a join made every entry pay for it).
 */
export function recentEntriesSql(scope: Prisma.Sql, since: Date) {
  return Prisma.sql`
    SELECT p."traderId", p.symbol, p.side::text AS side, (extract(epoch from p."createdAt") * 1000)::float8 AS "createdMs"
    FROM "Position" p
    WHERE ${scope} AND p."createdAt" >= ${since}::timestamp(3) AND p.status <> 'FAILED'
      AND (p."groupLegId" IS NULL OR EXISTS (SELECT 1 FROM "GroupLeg" gl WHERE gl.id = p."groupLegId" AND gl.index = 0))`
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

/**
 * The active positions of a scope summed per trader in PostgreSQL (exact numeric), for the
 * scope's sums (see scopeRowsSql):
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
        ) THEN (p."requestedQty" - p."entryQty") * COALESCE(p."limitPrice", m.mark) ELSE 0 END END), 0) AS exposure,
      COALESCE(sum(u.unrealized), 0) AS unrealized,
      COALESCE(sum(p."realizedPnl"), 0) AS realized,
      COALESCE(sum(p."realizedPnl" + u.unrealized - ${beforeDaySql(dayStart)}), 0) AS today
    FROM "Position" p
    JOIN "Trader" t ON t.id = p."traderId"
    LEFT JOIN "MarketQuote" q ON q.symbol = p.symbol
    CROSS JOIN LATERAL (SELECT CASE WHEN q.symbol IS NULL THEN p."avgEntryPrice" ELSE ${EXIT_SIDE_SQL} END AS mark) m
    CROSS JOIN LATERAL (SELECT ${unrealizedSql(Prisma.sql`m.mark`)} AS unrealized) u
    WHERE ${scope} AND ${ACTIVE_SQL}
    GROUP BY p."traderId"`
}

function figuresFor(
  dayStart: Date,
  read: ScopeRead,
  opts: { now: number; duplicateWindowSeconds?: number | null; cooldownMinutes?: number | null; pnlPeak: Decimal; lossStreak: number },
): ScopeFigures {
  const { sums, equity } = read
  const entriesSince = entriesSinceFor(dayStart, opts.now, opts).getTime()
  const entries = read.entries.filter((e) => e.lastMs >= entriesSince)
  const pnlNow = sums.realized.plus(sums.realizedOpen).plus(sums.unrealized)
  const peak = maxDec(opts.pnlPeak, pnlNow)
  const lastEntryAtBySymbol: Record<string, number> = {}
  for (const e of entries) lastEntryAtBySymbol[e.symbol] = Math.max(lastEntryAtBySymbol[e.symbol] ?? 0, e.lastMs)
  const windowMs = (opts.duplicateWindowSeconds ?? 0) * 1000
  return {
    pnlNow,
    state: {
      equity,
      openPositions: sums.n,
      exposureQuote: sums.exposure,
      dailyPnl: sums.dailyPnl,
      // Relative to the equity at the peak, so a 10% drawdown means 10% of what was there then.
      drawdownPct: drawdownPct(peak, pnlNow, equity.minus(pnlNow).plus(peak)),
      // Entries of today have their latest today, which is after entriesSince.
      tradesToday: entries.reduce((n, e) => n + e.today, 0),
      lastEntryAtBySymbol,
      consecutiveLosses: opts.lossStreak,
      // The latest entry of each symbol and side within the duplicate window (the check looks at the latest).
      recentEntries: entries.filter((e) => opts.now - e.lastMs <= windowMs).map((e) => ({ symbol: e.symbol, side: e.side, at: e.lastMs })),
    },
  }
}

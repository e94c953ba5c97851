import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { Prisma } from '@/lib/generated/prisma/client'
import { dec } from '@/lib/domain/decimal'
import { closedTodaySql, latestClosesSql, loadTraderAndUserRiskState, openAggregatesSql, recentEntriesSql } from '@/lib/server/risk/load-risk-state'
import { createTrader } from '@/lib/server/traders/create-trader'
import { planNodes, rowsOf } from '@/tests/support/query-plan'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// An entry reads its trader's and its user's risk state. With thousands of closed positions each
// (the history only grows), the parts of that read about open positions, today's closes, the
// latest closes and today's entries go through their indexes, never a scan of the history.
let t: TestDatabase
let c: pg.Client
let userId: string
const traders: string[] = []

beforeAll(async () => {
  t = await createTestDatabase()
  userId = (await t.db.user.create({ data: { email: 'risk-read@example.com', passwordHash: 'x' } })).id
  for (const name of ['One', 'Two']) {
    traders.push((await createTrader({ db: t.db, userId, input: { name, quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })).id)
  }
  c = new pg.Client({ connectionString: t.url })
  await c.connect()
  // The app's sessions run in UTC (lib/db/client.ts): now() into a timestamp column is UTC then.
  await c.query("SET TimeZone = 'UTC'")
  for (const id of traders) {
    // 3,000 closed positions over the last 100 days, and two open ones.
    await c.query(
      `INSERT INTO "Position" (id, "traderId", "accountId", symbol, side, status, "entryType", "requestedQty", "realizedPnl", "closedAt", "createdAt", "updatedAt")
       SELECT $1 || '-closed-' || g, t.id, t."accountId", 'BTC/USDT', 'LONG', 'CLOSED', 'MARKET', 1, 1,
         now() - g * interval '48 minutes', now() - g * interval '48 minutes' - interval '1 hour', now()
       FROM generate_series(1, 3000) g, "Trader" t WHERE t.id = $1`,
      [id],
    )
    await c.query(
      `INSERT INTO "Position" (id, "traderId", "accountId", symbol, side, status, "entryType", "requestedQty", "createdAt", "updatedAt")
       SELECT $1 || '-open-' || g, t.id, t."accountId", CASE g WHEN 1 THEN 'BTC/USDT' ELSE 'ETH/USDT' END, 'LONG', 'MONITORING', 'MARKET', 1, now(), now()
       FROM generate_series(1, 2) g, "Trader" t WHERE t.id = $1`,
      [id],
    )
  }
  await c.query('ANALYZE "Position"')
})
afterAll(async () => {
  await c.end()
  await t.drop()
})

const dayStart = () => new Date(Date.now() - 11.5 * 3_600_000)
const userScope = () => Prisma.sql`p."traderId" IN (SELECT id FROM "Trader" WHERE "userId" = ${userId})`

test.each([
  ['open positions summed per trader', () => openAggregatesSql(userScope(), dayStart()), /^Position_active_(trader|account)_symbol_idx$/],
  ["the day's closes", () => closedTodaySql(userScope(), dayStart()), /^Position_closed_trader_idx$/],
  ["a book's latest closes, trader by trader", () => latestClosesSql(Prisma.sql`${traders[0]}`), /^Position_closed_trader_idx$/],
  ["a trader's losing streak since it was resumed", () => latestClosesSql(Prisma.sql`${traders[0]}`, Prisma.sql`p."closedAt" > (now() - interval '30 days')::timestamp(3)`), /^Position_closed_trader_idx$/],
  ["the day's entries", () => recentEntriesSql(userScope(), dayStart()), /^Position_traderId_createdAt_idx$/],
] as const)('%s: read through an index over what it needs, not the history', async (_label, sql, index) => {
  for (const mode of ['force_custom_plan', 'force_generic_plan'] as const) {
    const position = (await planNodes(c, sql(), mode)).filter((n) => n['Relation Name'] === 'Position')
    expect(position.map((n) => n['Node Type']), mode).not.toContain('Seq Scan')
    expect(position.length, mode).toBeGreaterThan(0)
    for (const n of position) expect(n['Index Name'], mode).toMatch(index)
  }
})

test('and they read the right rows', async () => {
  const rows = (q: Prisma.Sql) => rowsOf<{ traderId: string; n: number }>(c, q)
  const open = await rows(openAggregatesSql(userScope(), dayStart()))
  expect(open.map((r) => [r.traderId, r.n]).sort()).toEqual(traders.map((id) => [id, 2]).sort())
  // Closed every 48 minutes: 14 in the last 11.5 hours per trader (48, 96, … 672 minutes ago).
  expect(await rows(closedTodaySql(userScope(), dayStart()))).toHaveLength(28)
  const latest = await rows(latestClosesSql(Prisma.sql`${traders[0]}`))
  expect(latest).toHaveLength(50)
  expect(latest[0].traderId).toBe(traders[0])
  // The open ones were entered now; the closed ones an hour before they closed (13 each since then).
  expect(await rows(recentEntriesSql(userScope(), dayStart()))).toHaveLength(4 + 2 * 13)
})

/** Trader One's entry read with these reads, and the scans and rows of Position it took. */
function readCounted(reads?: { entries: boolean; closes: boolean }) {
  return t.db.$transaction(async (tx) => {
    // The counts include the connection's earlier transactions until it reports them (when idle),
    // so the read's own are the difference within one transaction.
    const counts = async () =>
      (await tx.$queryRaw<{ seq: number; rows: number }[]>`
        SELECT seq_scan::int AS seq, (COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0))::int AS rows FROM pg_stat_xact_user_tables WHERE relname = 'Position'`)[0]!
    const before = await counts()
    const r = await loadTraderAndUserRiskState(tx, { userId, traderId: traders[0]!, timeZone: 'UTC', now: Date.now(), trader: { pnlPeak: dec(0), reads }, user: { pnlPeak: dec(0), reads } })
    const after = await counts()
    return { seq: after.seq - before.seq, rows: after.rows - before.rows, user: r.user.state, trader: r.trader.state }
  })
}

test("an entry's whole risk read fetches a few hundred of Position's rows, not its 6,000 closed ones", async () => {
  const read = await readCounted()
  expect(read.user.openPositions).toBe(4)
  expect(read.seq).toBe(0)
  // Today's 28 closes, the latest 50 of each trader (book and streak) and today's 30 entries.
  expect(read.rows).toBeLessThan(400)
})

test("what no limit looks at is not read: under the account-wide defaults, the book's entries and latest closes are left out", async () => {
  const all = await readCounted({ entries: true, closes: true })
  const none = await readCounted({ entries: false, closes: false })
  // Read: the trader's entries today (at least its two open ones), and the book's (both traders', the same).
  expect(all.trader.tradesToday).toBeGreaterThanOrEqual(2)
  expect(all.user.tradesToday).toBe(2 * all.trader.tradesToday)
  // Not read: no entries and no closes are fetched (the open positions and today's 28 closes are).
  expect([none.user.tradesToday, none.trader.tradesToday]).toEqual([0, 0])
  expect(none.rows).toBeLessThan(all.rows)
  // What the limits that remain look at is the same.
  for (const k of ['openPositions', 'exposureQuote', 'dailyPnl', 'drawdownPct', 'equity'] as const) expect(String(none.user[k])).toBe(String(all.user[k]))
})

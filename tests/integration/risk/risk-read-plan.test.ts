import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { scopeRowsSql } from '@/lib/server/risk/load-risk-state'
import { planNodes } from '@/tests/support/query-plan'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// An entry's risk read as one statement, for a user whose book has 300 traders, each with an open
// position, a history of 50 closes and a few entries today: every position in the table is the
// user's, so a condition on the book's traders alone covers all of it, and a range on the entry
// time was planned as a scan of the whole history.
let t: TestDatabase
let c: pg.Client
let userId: string
let traderId: string

beforeAll(async () => {
  t = await createTestDatabase()
  userId = (await t.db.user.create({ data: { email: 'risk-plan@example.com', passwordHash: 'x' } })).id
  c = new pg.Client({ connectionString: t.url })
  await c.connect()
  await c.query("SET TimeZone = 'UTC'")
  await c.query(
    `INSERT INTO "ExchangeAccount" (id, "userId", name, kind, "quoteCurrency", "makerFeeRate", "takerFeeRate")
     SELECT 'acct-' || g, $1, 'paper ' || g, 'PAPER', 'USDT', 0.001, 0.001 FROM generate_series(1, 300) g`,
    [userId],
  )
  await c.query(
    `INSERT INTO "Trader" (id, "userId", "accountId", name, "quoteCurrency", watchlist, "updatedAt")
     SELECT 'trader-' || g, $1, 'acct-' || g, 'T' || g, 'USDT', ARRAY['BTC/USDT'], now() FROM generate_series(1, 300) g`,
    [userId],
  )
  await c.query(`INSERT INTO "PaperBalance" ("accountId", asset, amount, "updatedAt") SELECT id, 'USDT', 10000, now() FROM "ExchangeAccount"`)
  // Per trader: one open position (g = 0) and 50 closes an hour apart, each entered a minute before.
  await c.query(
    `INSERT INTO "Position" (id, "traderId", "accountId", symbol, side, status, "entryType", "requestedQty", "openQty", "entryQty", "avgEntryPrice", "realizedPnl", "closedAt", "createdAt", "updatedAt")
     SELECT t.id || '-' || g, t.id, t."accountId", 'BTC/USDT', 'LONG', CASE WHEN g = 0 THEN 'MONITORING' ELSE 'CLOSED' END::"PositionStatus", 'MARKET', 0.01,
       CASE WHEN g = 0 THEN 0.01 ELSE 0 END, 0.01, 59000, CASE WHEN g = 0 THEN 0 ELSE 1 END,
       CASE WHEN g = 0 THEN NULL ELSE now() - g * interval '1 hour' END, now() - g * interval '1 hour' - interval '1 minute', now()
     FROM "Trader" t, generate_series(0, 50) g`,
  )
  await c.query(
    `INSERT INTO "TraderTotals" ("traderId", "closedRealizedPnl", "lastClosedAt")
     SELECT "traderId", sum("realizedPnl"), max("closedAt") FROM "Position" WHERE status = 'CLOSED' GROUP BY "traderId"`,
  )
  await c.query('ANALYZE')
  traderId = 'trader-1'
})
afterAll(async () => {
  await c.end()
  await t.drop()
})

// Early in the trading day and late in it, when the day's closes and entries are much of the
// history and a scan of it looks cheaper to the planner.
test.each([3, 23])("planned with its values or without (as a prepared statement is after a few runs), it scans no part of Position, %i h into the day", async (hours) => {
  const now = Date.now()
  const q = scopeRowsSql({ userId, only: { bookOf: traderId }, timeZone: 'UTC', now, windows: [{}, {}], streaksOf: [traderId], detail: [traderId] }, new Date(now - hours * 3_600_000))
  for (const mode of ['force_custom_plan', 'force_generic_plan'] as const) {
    const position = (await planNodes(c, q, mode)).filter((n) => n['Relation Name'] === 'Position')
    expect(position.length, mode).toBeGreaterThan(0)
    expect(position.map((n) => n['Node Type']), mode).not.toContain('Seq Scan')
  }
})

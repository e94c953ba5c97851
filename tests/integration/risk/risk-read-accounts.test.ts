import type pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { scopeRowsSql } from '@/lib/server/risk/load-risk-state'
import { planNodes } from '@/tests/support/query-plan'
import { createTestDatabase, insertUsers, sqlClient, type TestDatabase } from '@/tests/support/test-db'

// The risk read of one user among many: 300 other users, each with a paper USDT account and a
// trader on it, the same book as this user's, and no statistics on the accounts yet (a new
// installation, or autovacuum not yet round). The accounts read are the user's traders' (found
// through each trader), never every account of the book's kind: the entry's read was planned as a
// scan of ExchangeAccount, then a look-up of the user's traders for each account, and grew with
// the whole installation (0.5 of its 2 ms with 300 accounts).
let t: TestDatabase
let c: pg.Client
const userId = 'user-0'
const traderId = 'trader-0'

beforeAll(async () => {
  t = await createTestDatabase()
  c = await sqlClient(t)
  await insertUsers(c, 300)
  await c.query(
    `INSERT INTO "ExchangeAccount" (id, "userId", name, kind, "quoteCurrency", "makerFeeRate", "takerFeeRate")
     SELECT 'acct-' || g, 'user-' || g, 'paper', 'PAPER', 'USDT', 0.001, 0.001 FROM generate_series(0, 300) g`,
  )
  await c.query(
    `INSERT INTO "Trader" (id, "userId", "accountId", name, "quoteCurrency", watchlist, "updatedAt")
     SELECT 'trader-' || g, 'user-' || g, 'acct-' || g, 'T', 'USDT', ARRAY['BTC/USDT'], now() FROM generate_series(0, 300) g`,
  )
  await c.query(`INSERT INTO "PaperBalance" ("accountId", asset, amount, "updatedAt") SELECT id, 'USDT', 10000, now() FROM "ExchangeAccount"`)
  await c.query('ANALYZE "User", "Trader", "PaperBalance"')
})
afterAll(async () => {
  await c.end()
  await t.drop()
})

const now = Date.now()
const dayStart = new Date(now - 3_600_000)
test.each([
  ['an entry (its trader and book)', scopeRowsSql({ userId, only: { bookOf: traderId }, timeZone: 'UTC', now, windows: [{}, {}], streaksOf: [traderId], detail: [traderId] }, dayStart)],
  ["the breakers' pass (all of the user's traders)", scopeRowsSql({ userId, timeZone: 'UTC', now, windows: [], entriesOf: [], streaksOf: [traderId], detail: 'all' }, dayStart)],
])('the read for %s scans no ExchangeAccount or Trader, with its values or without', async (_, q) => {
  for (const mode of ['force_custom_plan', 'force_generic_plan'] as const) {
    const nodes = (await planNodes(c, q, mode)).filter((n) => n['Relation Name'] === 'ExchangeAccount' || n['Relation Name'] === 'Trader')
    expect(nodes.length, mode).toBeGreaterThan(0)
    expect(nodes.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']), mode).toEqual([])
  }
})

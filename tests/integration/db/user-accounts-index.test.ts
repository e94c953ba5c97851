import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { loadTradingState } from '@/lib/server/trading/trading-state'
import { planNodes, type Statement } from '@/tests/support/query-plan'
import { createTestDatabase, insertUsers, sqlClient, type TestDatabase } from '@/tests/support/test-db'

// A user's accounts (the trading switches the dashboard shows, panic's halt of them all, the
// logs' risk source) are read by the user's id. With 3,000 other users (two accounts each), those
// reads must go through an index on it, not scan every account of the installation.
let t: TestDatabase
let c: pg.Client

beforeAll(async () => {
  t = await createTestDatabase()
  c = await sqlClient(t)
  await insertUsers(c, 3000)
  await c.query(
    `INSERT INTO "ExchangeAccount" (id, "userId", name, kind, "quoteCurrency", "makerFeeRate", "takerFeeRate", "createdAt")
     SELECT 'acct-' || g || '-' || k, 'user-' || g, 'paper ' || k, 'PAPER', 'USDT', 0.001, 0.001, now() - k * interval '1 day'
     FROM generate_series(0, 3000) g, generate_series(1, 2) k`,
  )
  await c.query('ANALYZE "User", "ExchangeAccount"')
})
afterAll(async () => {
  await c.end()
  await t.drop()
})

/** The statements `fn` sends to PostgreSQL through Prisma (its pg pool's clients), with their parameters. */
async function statementsOf(fn: () => Promise<unknown>): Promise<Statement[]> {
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown }
  const original = proto.query
  const sent: Statement[] = []
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0] as { text?: string; values?: unknown[] } | string
    if (this !== c && typeof q === 'object' && q.text) sent.push({ text: q.text, values: q.values ?? [] })
    return original.apply(this, args)
  }
  try {
    await fn()
  } finally {
    proto.query = original
  }
  return sent
}

test("the trading switches read the user's accounts through an index, in their order", async () => {
  const state = await loadTradingState(t.db, 'user-7')
  expect(state.accounts.map((a) => a.id)).toEqual(['acct-7-2', 'acct-7-1'])
  const accountReads = (await statementsOf(() => loadTradingState(t.db, 'user-7'))).filter((q) => /FROM "public"\."ExchangeAccount"/.test(q.text))
  expect(accountReads).toHaveLength(1)
  for (const mode of ['force_custom_plan', 'force_generic_plan'] as const) {
    const nodes = await planNodes(c, accountReads[0]!, mode)
    expect(nodes.filter((n) => n['Relation Name'] === 'ExchangeAccount').map((n) => n['Node Type']), mode).not.toContain('Seq Scan')
    expect(nodes.map((n) => n['Index Name']).filter(Boolean), mode).toEqual(['ExchangeAccount_userId_createdAt_idx'])
  }
})

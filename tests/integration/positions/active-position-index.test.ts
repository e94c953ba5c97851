import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { activeInSymbolSql } from '@/lib/server/positions/active-position'
import { createTrader } from '@/lib/server/traders/create-trader'
import { planNodes } from '@/tests/support/query-plan'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// An entry checks for an active position in its symbol while holding its trader's lock. That read
// must not grow with the history: with thousands of closed positions it goes through the partial
// indexes over active positions, never a scan of the table.
let t: TestDatabase
let c: pg.Client
let trader: { id: string; accountId: string }

beforeAll(async () => {
  t = await createTestDatabase()
  const userId = (await t.db.user.create({ data: { email: 'active-index@example.com', passwordHash: 'x' } })).id
  trader = await createTrader({ db: t.db, userId, input: { name: 'Busy', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })
  c = new pg.Client({ connectionString: t.url })
  await c.connect()
  await c.query(
    `INSERT INTO "Position" (id, "traderId", "accountId", symbol, side, status, "entryType", "requestedQty", "createdAt", "updatedAt")
     SELECT 'closed-' || g, $1, $2, CASE WHEN g % 2 = 0 THEN 'BTC/USDT' ELSE 'ETH/USDT' END, 'LONG', CASE WHEN g % 10 = 0 THEN 'FAILED' ELSE 'CLOSED' END::"PositionStatus",
       'MARKET', 1, now(), now()
     FROM generate_series(1, 4000) g`,
    [trader.id, trader.accountId],
  )
  await c.query(`INSERT INTO "Position" (id, "traderId", "accountId", symbol, side, status, "entryType", "requestedQty", "createdAt", "updatedAt")
     VALUES ('open-eth', $1, $2, 'ETH/USDT', 'LONG', 'MONITORING', 'MARKET', 1, now(), now())`, [trader.id, trader.accountId])
  await c.query('ANALYZE "Position"')
})
afterAll(async () => {
  await c.end()
  await t.drop()
})

test.each(['force_custom_plan', 'force_generic_plan'] as const)('the active-position check reads the partial indexes, not the history (%s)', async (mode) => {
  for (const [symbol, legSide] of [['BTC/USDT', undefined], ['ETH/USDT', undefined], ['ETH/USDT', 'LONG']] as const) {
    const nodes = await planNodes(c, activeInSymbolSql({ traderId: trader.id, accountId: trader.accountId, symbol, groupLegSide: legSide }), mode)
    expect(nodes.filter((n) => n['Relation Name'] === 'Position').map((n) => n['Node Type'])).not.toContain('Seq Scan')
    expect(nodes.map((n) => n['Index Name']).filter(Boolean).every((i) => /^Position_active_(trader|account)_symbol_idx$/.test(i!))).toBe(true)
    expect(nodes.some((n) => n['Index Name'])).toBe(true)
  }
})

test('and it finds the one active position, not the closed ones', async () => {
  const run = async (symbol: string) => {
    const q = activeInSymbolSql({ traderId: trader.id, accountId: trader.accountId, symbol })
    return (await c.query(q.text, q.values)).rows
  }
  expect(await run('ETH/USDT')).toEqual([{ id: 'open-eth', traderId: trader.id }])
  expect(await run('BTC/USDT')).toEqual([])
})

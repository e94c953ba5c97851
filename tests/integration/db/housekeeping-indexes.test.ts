import pg from 'pg'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Prisma } from '@/lib/generated/prisma/client'
import { interruptedApprovalsSql } from '@/lib/server/approvals/decide-approval'
import { unsettledDecisionsSql } from '@/lib/server/decisions/settle-interrupted-decisions'
import { createTrader } from '@/lib/server/traders/create-trader'
import { planNodes, rowsOf } from '@/tests/support/query-plan'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// The worker's housekeeping looks for unsettled journal entries and unrecorded approvals every
// heartbeat. With thousands of settled ones (the journal only grows) those reads must go through
// their partial indexes, not scan the tables, and still find exactly the rows that need settling.
let t: TestDatabase
let c: pg.Client
const longAgo = new Date(Date.now() - 3_600_000)

beforeAll(async () => {
  t = await createTestDatabase()
  const userId = (await t.db.user.create({ data: { email: 'housekeeping@example.com', passwordHash: 'x' } })).id
  const trader = await createTrader({ db: t.db, userId, input: { name: 'Busy', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: 'BTC/USDT' } })
  c = new pg.Client({ connectionString: t.url })
  await c.connect()
  const decision = (id: string, outcome: string, executed: string) =>
    c.query(
      `INSERT INTO "Decision" (id, "traderId", "cycleId", symbol, provider, model, "promptVersion", trigger, outcome, executed, "latencyMs", "createdAt")
       VALUES ($1, $2, 'c', 'BTC/USDT', 'RULES', 'rules', 'v1', 'SCHEDULE', $3::"DecisionOutcome", $4::jsonb, 1, $5)`,
      [id, trader.id, outcome, executed, longAgo],
    )
  await c.query(
    `INSERT INTO "Decision" (id, "traderId", "cycleId", symbol, provider, model, "promptVersion", trigger, outcome, executed, "latencyMs", "createdAt")
     SELECT 'settled-' || g, $1, 'c', 'BTC/USDT', 'RULES', 'rules', 'v1', 'SCHEDULE', (CASE WHEN g % 2 = 0 THEN 'EXECUTED' ELSE 'NO_ACTION' END)::"DecisionOutcome",
       '{"steps":[{"step":"LONG BTC/USDT","status":"EXECUTED"}]}'::jsonb, 1, $2
     FROM generate_series(1, 4000) g`,
    [trader.id, longAgo],
  )
  await decision('executing', 'EXECUTING', '{"steps":[{"step":"LONG BTC/USDT","status":"PLANNED"}]}')
  await decision('answered', 'REJECTED', '{"steps":[{"step":"LONG BTC/USDT","status":"PLANNED"}]}')
  const approval = (id: string, status: string, result: string | null) =>
    c.query(
      `INSERT INTO "Approval" (id, "traderId", kind, symbol, request, summary, status, "expiresAt", "decidedAt", result)
       VALUES ($1, $2, 'ENTRY', 'BTC/USDT', '{}', '{}', $3::"ApprovalStatus", $4, $4, $5::jsonb)`,
      [id, trader.id, status, longAgo, result],
    )
  await c.query(
    `INSERT INTO "Approval" (id, "traderId", kind, symbol, request, summary, status, "expiresAt", "decidedAt", result)
     SELECT 'answered-' || g, $1, 'ENTRY', 'BTC/USDT', '{}', '{}', (CASE WHEN g % 2 = 0 THEN 'APPROVED' ELSE 'REJECTED' END)::"ApprovalStatus", $2, $2, '{"executed":"done"}'
     FROM generate_series(1, 4000) g`,
    [trader.id, longAgo],
  )
  await approval('unrecorded', 'APPROVED', null)
  await approval('pending', 'PENDING', null)
  await c.query('ANALYZE "Decision"')
  await c.query('ANALYZE "Approval"')
})
afterAll(async () => {
  await c.end()
  await t.drop()
})

const now = () => new Date()

test.each([
  ['unsettled journal entries', () => unsettledDecisionsSql(now()), 'Decision', 'Decision_unsettled_idx'],
  ['unrecorded approvals', () => interruptedApprovalsSql(now()), 'Approval', 'Approval_unrecorded_idx'],
] as const)('%s are read through their partial index, not the history', async (_label, sql, table, index) => {
  for (const mode of ['force_custom_plan', 'force_generic_plan'] as const) {
    const nodes = await planNodes(c, sql(), mode)
    expect(nodes.filter((n) => n['Relation Name'] === table).map((n) => n['Node Type']), mode).not.toContain('Seq Scan')
    expect(nodes.map((n) => n['Index Name']).filter(Boolean), mode).toEqual([index])
  }
})

test('and they find exactly the rows to settle', async () => {
  const ids = async (q: Prisma.Sql) => (await rowsOf<{ id: string }>(c, q)).map((r) => r.id).sort()
  expect(await ids(unsettledDecisionsSql(now()))).toEqual(['answered', 'executing'])
  expect(await ids(interruptedApprovalsSql(now()))).toEqual(['unrecorded'])
  // Not before they are old enough: they may still be running.
  expect(await ids(unsettledDecisionsSql(new Date(longAgo.getTime() - 1000)))).toEqual([])
  expect(await ids(interruptedApprovalsSql(new Date(longAgo.getTime() - 1000)))).toEqual([])
})

import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTrader } from '@/lib/server/traders/create-trader'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// The migration that added Trader.statusCause gives traders stopped before it the cause their
// reason names. Re-run here on rows as they stood then (no cause), with the migration's own SQL.
const MIGRATION = path.resolve(import.meta.dirname, '../../../prisma/migrations/20261205080701_trader_status_cause/migration.sql')
const backfill = readFileSync(MIGRATION, 'utf8').slice(readFileSync(MIGRATION, 'utf8').indexOf('UPDATE "Trader"'))

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.drop())

test('traders stopped before the column: a panic, a breaker, a person; an active trader keeps none', async () => {
  const user = await t.db.user.create({ data: { email: 'old@example.com', passwordHash: 'x' } })
  const rows: [string, 'ACTIVE' | 'PAUSED' | 'HALTED', string | null, string | null][] = [
    ['panicked', 'HALTED', 'panic by pat@example.com via the API', 'PANIC'],
    ['drawdown', 'HALTED', 'drawdown 12% exceeds the 10% limit — halted until a person resumes it', 'BREAKER'],
    ['daily loss', 'PAUSED', 'daily loss 45 USDT exceeds 40 USDT — paused until a person resumes it', 'BREAKER'],
    ['holiday', 'PAUSED', 'holiday', 'PERSON'],
    ['trading', 'ACTIVE', null, null],
  ]
  for (const [name, status, statusReason] of rows) {
    const { id } = await createTrader({ db: t.db, userId: user.id, input: { name, quoteCurrency: 'USDT', startingBalance: '1000', watchlist: ['BTC/USDT'], autoTrade: false } })
    await t.db.trader.update({ where: { id }, data: { status, statusReason } })
  }
  await t.db.$executeRawUnsafe(backfill)
  const after = await t.db.trader.findMany({ select: { name: true, statusCause: true } })
  expect(Object.fromEntries(after.map((r) => [r.name, r.statusCause]))).toEqual(Object.fromEntries(rows.map(([name, , , cause]) => [name, cause])))
})

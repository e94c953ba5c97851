import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// The migration that stops risk-engine runs a version before 0aa64dc left RUNNING: resumed, such a
// run cannot tell which of its partial closes were sent, and would sell them again. Re-run here
// with the migration's own SQL on runs as each version leaves them.
const MIGRATION = path.resolve(import.meta.dirname, '../../../prisma/migrations/20261206224500_stop_unresumable_risk_engine_runs/migration.sql')
const sql = readFileSync(MIGRATION, 'utf8')

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.drop())

test('a RUNNING run with no exit client ids saved is stopped, with an error in the feed; a later version’s run and finished runs are left alone', async () => {
  const user = await t.db.user.create({ data: { email: 'engine-upgrade@example.com', passwordHash: 'x' } })
  const partial = { kind: 'PARTIAL_CLOSE', groupId: 'g-win', symbol: 'ETH/USDT', side: 'LONG', qty: '0.5', price: '3100', netPerUnit: '90', realized: '45' }
  const close = { kind: 'CLOSE_LOSER', groupId: 'g-lose', symbol: 'BTC/USDT' }
  const run = (message: string, status: 'RUNNING' | 'DONE', steps: object[]) =>
    t.db.riskEngineRun.create({ data: { userId: user.id, trigger: 'SCHEDULE', dryRun: false, status, loserGroupId: 'g-lose', loserSymbol: 'BTC/USDT', loss: '-40', lossPct: '-4', covered: '45', steps, message } })
  // Before 0aa64dc: the first offset sent and saved, the second maybe sent, never saved.
  const old = await run('offset BTC/USDT', 'RUNNING', [{ ...partial, orderIds: ['o1'] }, { ...partial, symbol: 'SOL/USDT' }, close])
  // A later version's run: its exits' ids saved before sending.
  const later = await run('offset BTC/USDT', 'RUNNING', [{ ...partial, exitClientOrderIdBase: 'x-abc', orderIds: ['o2'] }, { ...partial, symbol: 'SOL/USDT', exitClientOrderIdBase: 'x-def' }, close])
  const finished = await run('offset BTC/USDT', 'DONE', [{ ...partial, orderIds: ['o3'] }, { ...close, status: 'CLOSED' }])

  await t.db.$executeRawUnsafe(sql)

  const after = async (id: string) => t.db.riskEngineRun.findUniqueOrThrow({ where: { id } })
  expect(await after(old.id)).toMatchObject({
    status: 'FAILED',
    finishedAt: expect.any(Date),
    message: 'offset BTC/USDT: stopped by an upgrade while it ran: the version that started it did not record its exits before sending them, so resuming it could sell them twice (check the groups it names)',
  })
  expect(await after(later.id)).toMatchObject({ status: 'RUNNING', finishedAt: null, message: 'offset BTC/USDT' })
  expect(await after(finished.id)).toMatchObject({ status: 'DONE', message: 'offset BTC/USDT' })
  const feed = await t.db.activityEvent.findMany({ where: { userId: user.id }, select: { type: true, severity: true, symbol: true, message: true } })
  expect(feed).toEqual([{ type: 'RISK_ENGINE', severity: 'error', symbol: 'BTC/USDT', message: `Risk engine, failed: ${(await after(old.id)).message}` }])
})

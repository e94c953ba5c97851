import { afterAll, beforeAll, expect, test } from 'vitest'
import { fromDb } from '@/lib/db/decimal-columns'
import { createApproval } from '@/lib/server/approvals/create-approval'
import { approveApproval } from '@/lib/server/approvals/decide-approval'
import type { PlanStep } from '@/lib/server/decisions/decision-plan'
import { executeStep } from '@/lib/server/decisions/execute-step'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

let t: TestDatabase
let userId: string
let traderId: string
beforeAll(async () => {
  t = await createTestDatabase()
  userId = (await t.db.user.create({ data: { email: 'approve-modify@example.com', passwordHash: 'x' } })).id
  traderId = (await createTrader({ db: t.db, userId, input: { name: 'Careful', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT'] } })).id
  await useManualTraderSettings(t.db, traderId)
})
afterAll(() => t?.drop())

// At approval a queued change of targets is replayed as a cancel of each level and an add of each
// new one; counted against the model's hourly limit (6), moving one of four targets made 8.
test("a queued move of one of four targets can be approved: the model's hourly limit does not count the replay", async () => {
  await seedMarket(t.db, { bid: '60000', ask: '60010' })
  const tps = [{ price: '61000', sharePct: '25' }, { price: '62000', sharePct: '25' }, { price: '63000', sharePct: '25' }, { price: '64000', sharePct: '25' }]
  const { positionId } = await executeStep(
    { db: t.db, userId, traderId, actor: { kind: 'USER', id: userId }, source: 'UI', trigger: 'USER_MANUAL', reason: 'opened by hand' },
    { kind: 'ENTRY', symbol: 'BTC/USDT', side: 'LONG', entryType: 'MARKET', limitPrice: null, qty: '0.01', stopLoss: '59000', takeProfits: tps },
  )
  const step: PlanStep = { kind: 'MODIFY', symbol: 'BTC/USDT', positionId, stopLoss: null, takeProfits: [...tps.slice(0, 3), { price: '64500', sharePct: '25' }], seen: { stopLoss: '59000', takeProfits: tps } }
  const approvalId = await createApproval({ db: t.db, traderId, userId, decisionId: null, step, expiryMinutes: 15, summary: { confidence: '0.9', reasoning: 'move the last target' } })
  await approveApproval({ db: t.db, userId, approvalId, input: {} })
  const levels = await t.db.takeProfit.findMany({ where: { positionId, status: 'ACTIVE' }, orderBy: { price: 'asc' } })
  expect(levels.map((l) => fromDb(l.price).toFixed())).toEqual(['61000', '62000', '63000', '64500'])
  expect((await t.db.approval.findUniqueOrThrow({ where: { id: approvalId } })).status).toBe('APPROVED')
})

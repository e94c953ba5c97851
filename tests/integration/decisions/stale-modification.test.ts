import { afterAll, beforeAll, expect, test } from 'vitest'
import { fromDbOrNull } from '@/lib/db/decimal-columns'
import { createSimulatedFeed } from '@/lib/market-data/simulated-feed'
import { runAnalysisCycle } from '@/lib/server/decisions/run-analysis-cycle'
import { modifyProtection } from '@/lib/server/positions/modify-protection'
import { createTrader } from '@/lib/server/traders/create-trader'
import { useFakeLlmTrader } from '@/tests/support/fake-llm-trader'
import { startFakeOpenAI, type FakeLlmServer } from '@/tests/support/fake-openai'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { waitFor } from '@/tests/support/wait-for'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// A model takes seconds to answer. A change to the stop or targets it proposes was decided against
// the position as it was shown; if the position's protection changed meanwhile (here: the rule
// engine moved the stop to breakeven), applying the change would undo that.
let t: TestDatabase
let llm: FakeLlmServer
let userId: string
let traderId: string
const feed = createSimulatedFeed({ symbols: { 'BTC/USDT': { start: '60000' } } })
const cycle = () => runAnalysisCycle({ db: t.db, traderId, candles: (s, tf, n) => feed.fetchCandles(s, tf, n), actor: { kind: 'WORKER', id: 'test' }, trigger: 'MANUAL', staleAfterMs: 60_000, symbol: 'BTC/USDT' })
const decide = (d: Record<string, unknown>) => ({ json: { symbol: 'BTC/USDT', reasoning: 'test', confidence: 0.8, ...d } })
const position = () => t.db.position.findFirstOrThrow({ where: { traderId, symbol: 'BTC/USDT', status: { notIn: ['CLOSED', 'FAILED'] } } })

beforeAll(async () => {
  t = await createTestDatabase()
  llm = await startFakeOpenAI({ apiKey: 'sk-test-stale' })
  userId = (await t.db.user.create({ data: { email: 'stale@example.com', passwordHash: 'x' } })).id
  traderId = (await createTrader({ db: t.db, userId, input: { name: 'Slow model', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT'] } })).id
  await useManualTraderSettings(t.db, traderId)
  await useFakeLlmTrader(t.db, traderId, { url: llm.url, apiKey: 'sk-test-stale' })
  // A model that takes its time: 10 s before the call is given up.
  await t.db.trader.update({ where: { id: traderId }, data: { aiSettings: { baseUrl: llm.url, model: 'fake-model', timeoutMs: 10_000, maxRetries: 0, intervalMinutes: 1, timeframes: ['1m'], minConfidence: '0.6', maxModificationsPerHour: 20 } } })
})
afterAll(async () => {
  await llm.close()
  await t.drop()
})

test('a stop the rule engine moved while the model answered is not put back by its answer', async () => {
  await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60010' })
  llm.script([decide({ action: 'LONG', stopLoss: 59000, takeProfits: [{ price: 63000, sharePct: 100 }] })])
  expect((await cycle()).decisions[0]).toMatchObject({ outcome: 'EXECUTED' })
  await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '61000', ask: '61010' })
  const p = await position()

  // The model is shown the stop at 59000 and answers, 1.5 s later, to move it to 59500...
  llm.script([{ delayMs: 1500, then: decide({ action: 'NO_TRADE', modifications: [{ type: 'MOVE_SL', price: 59500 }] }) }])
  const asked = llm.requests.length
  const running = cycle()
  await waitFor(async () => (llm.requests.length > asked ? true : null), 'the model asked')
  // ...while the rule engine moves it to breakeven.
  expect((await modifyProtection({ db: t.db, userId, actor: { kind: 'WORKER', id: 'rules' }, positionId: p.id, trigger: 'RULE_ENGINE', reason: 'breakeven', input: { stopLoss: '60010' }, tightenOnly: true })).applied).toBe(true)
  const [d] = (await running).decisions
  expect(d).toMatchObject({ outcome: 'REJECTED', error: expect.stringContaining('the position changed after this was decided (stop 59000 → 60010): not applied') })
  expect(fromDbOrNull((await position()).stopLoss)!.toFixed()).toBe('60010')
  const moves = await t.db.positionEvent.findMany({ where: { positionId: p.id, type: 'SL_CHANGED' }, select: { trigger: true } })
  expect(moves.map((m) => m.trigger)).toEqual(['RULE_ENGINE'])
})

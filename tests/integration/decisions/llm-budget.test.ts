import { afterAll, beforeAll, expect, test } from 'vitest'
import { createSimulatedFeed } from '@/lib/market-data/simulated-feed'
import { runAnalysisCycle } from '@/lib/server/decisions/run-analysis-cycle'
import { createTrader } from '@/lib/server/traders/create-trader'
import { startFakeOpenAI, type FakeLlmServer } from '@/tests/support/fake-openai'
import { useFakeLlmTrader } from '@/tests/support/fake-llm-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// A call that times out reports no usage, but the provider may have billed its prompt. The daily
// budgets count such a call as its prompt's estimated tokens (a quarter of its characters), so a
// provider that keeps timing out cannot spend past them; the journal keeps the reported zero.
let t: TestDatabase
let llm: FakeLlmServer
let traderId: string
const feed = createSimulatedFeed({ symbols: { 'BTC/USDT': { start: '60000' } } })
const cycle = () =>
  runAnalysisCycle({ db: t.db, traderId, candles: (s, tf, n) => feed.fetchCandles(s, tf, n), actor: { kind: 'WORKER', id: 'test' }, trigger: 'MANUAL', staleAfterMs: 60_000, symbol: 'BTC/USDT' })
const settings = (more: Record<string, unknown>) =>
  t.db.trader.update({ where: { id: traderId }, data: { aiSettings: { baseUrl: llm.url, model: 'fake-model', timeoutMs: 1000, maxRetries: 0, timeframes: ['1m'], ...more } } })

beforeAll(async () => {
  t = await createTestDatabase()
  llm = await startFakeOpenAI({ apiKey: 'sk-test-budget' })
  const userId = (await t.db.user.create({ data: { email: 'budget@example.com', passwordHash: 'x' } })).id
  traderId = (await createTrader({ db: t.db, userId, input: { name: 'Budget', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT'] } })).id
  await useManualTraderSettings(t.db, traderId)
  await useFakeLlmTrader(t.db, traderId, { url: llm.url, apiKey: 'sk-test-budget' })
  await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60010' })
})
afterAll(async () => {
  await llm.close()
  await t.drop()
})

test('calls that timed out count toward the token and cost budgets by their prompts, and no further call is made', async () => {
  await settings({ dailyTokenBudget: 1_000_000 })
  llm.script([{ hang: true }])
  const [timedOut] = (await cycle()).decisions
  expect(timedOut!.error).toMatch(/^TIMEOUT: /)
  const d = await t.db.decision.findUniqueOrThrow({ where: { id: timedOut!.id }, include: { call: true } })
  expect([d.promptTokens, d.completionTokens, d.costUsd.toString()]).toEqual([0, 0, '0'])
  const prompt = d.call!.prompt as { system: string; user: string }
  const estimate = Math.ceil((prompt.system.length + prompt.user.length) / 4)
  expect(estimate).toBeGreaterThan(100)

  const sent = llm.requests.length
  await settings({ dailyTokenBudget: estimate })
  const tokens = (await cycle()).decisions[0]!
  expect(tokens.outcome).toBe('FAILED')
  expect(tokens.error).toBe(`daily token budget used up (${estimate} of ${estimate} tokens, ${estimate} of them estimated for 1 call(s) that timed out): no model calls until tomorrow`)

  // The same estimate at the input price: 1,000 USD per million tokens.
  const usd = (estimate * 1000) / 1_000_000
  await settings({ inputCostPerMTok: '1000', dailyCostBudgetUsd: String(usd) })
  const cost = (await cycle()).decisions[0]!
  expect(cost.error).toBe(`daily cost budget used up (${usd.toFixed(4)} of ${usd} USD, ${estimate} tokens of it estimated for 1 call(s) that timed out): no model calls until tomorrow`)
  expect(llm.requests.length).toBe(sent)

  // One token more of budget than the estimate: the model is asked again.
  await settings({ dailyTokenBudget: estimate + 1 })
  llm.script([{ json: { symbol: 'BTC/USDT', action: 'NO_TRADE', reasoning: 'flat', confidence: 0.9 } }])
  expect((await cycle()).decisions[0]!.outcome).not.toBe('FAILED')
  expect(llm.requests.length).toBe(sent + 1)
})

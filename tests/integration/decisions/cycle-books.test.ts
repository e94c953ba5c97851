import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createSimulatedFeed } from '@/lib/market-data/simulated-feed'
import { runAnalysisCycle } from '@/lib/server/decisions/run-analysis-cycle'
import { createTrader } from '@/lib/server/traders/create-trader'
import { startFakeOpenAI, type FakeLlmServer } from '@/tests/support/fake-openai'
import { useFakeLlmTrader } from '@/tests/support/fake-llm-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

/**
 * A cycle reads the account's figures (equity, available, open positions) once, not once per
 * symbol, and reads them again after a decision that changed the books: the next symbol's prompt
 * shows the position the previous one opened.
 */
describe('decision cycle: the account figures each symbol is shown', () => {
  let t: TestDatabase
  let llm: FakeLlmServer
  let traderId: string
  const feed = createSimulatedFeed({ symbols: { 'BTC/USDT': { start: '60000' }, 'ETH/USDT': { start: '3000' }, 'SOL/USDT': { start: '150' } } })
  const decide = (symbol: string, d: Record<string, unknown>) => ({ json: { symbol, reasoning: 'test', confidence: 0.8, ...d } })
  // What the model was told about the account, per request in order.
  const shown = () =>
    llm.requests
      .filter((r) => r.body && 'messages' in r.body)
      .map((r) => {
        const text = JSON.stringify(r.body!.messages)
        return { openPositions: Number(/\\"openPositions\\": ?(\d+)/.exec(text)?.[1]), available: /\\"available\\": ?\\"([\d.]+)\\"/.exec(text)?.[1] }
      })

  beforeAll(async () => {
    t = await createTestDatabase()
    llm = await startFakeOpenAI({ apiKey: 'sk-test-books' })
    const userId = (await t.db.user.create({ data: { email: 'books@example.com', passwordHash: 'x' } })).id
    const trader = await createTrader({ db: t.db, userId, input: { name: 'Books', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] } })
    traderId = trader.id
    await useManualTraderSettings(t.db, traderId)
    await useFakeLlmTrader(t.db, traderId, { url: llm.url, apiKey: 'sk-test-books' })
    await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60010' })
    await seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3000.5' })
    await seedMarket(t.db, { symbol: 'SOL/USDT', bid: '150', ask: '150.05' })
  })
  afterAll(async () => {
    await llm.close()
    await t.drop()
  })

  test('after an executed entry the next symbol sees it; after nothing was done the figures carry over', async () => {
    llm.script([
      decide('BTC/USDT', { action: 'NO_TRADE' }),
      decide('ETH/USDT', { action: 'LONG', stopLoss: 2990 }),
      decide('SOL/USDT', { action: 'NO_TRADE' }),
    ])
    const r = await runAnalysisCycle({ db: t.db, traderId, candles: (s, tf, n) => feed.fetchCandles(s, tf, n), actor: { kind: 'WORKER', id: 'test' }, trigger: 'MANUAL', staleAfterMs: 60_000 })
    expect(r.decisions.map((d) => [d.symbol, d.outcome])).toEqual([
      ['BTC/USDT', 'NO_ACTION'],
      ['ETH/USDT', 'EXECUTED'],
      ['SOL/USDT', 'NO_ACTION'],
    ])
    const [btc, eth, sol] = shown()
    expect(btc).toEqual({ openPositions: 0, available: '10000.00' })
    expect(eth).toEqual({ openPositions: 0, available: '10000.00' })
    // ETH's entry spent about 1000 USDT (fixed-quote sizing) plus its fee.
    expect(sol!.openPositions).toBe(1)
    expect(Number(sol!.available)).toBeLessThan(9001)
  })
})

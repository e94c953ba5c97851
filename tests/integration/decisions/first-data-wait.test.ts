import { afterAll, beforeAll, expect, test } from 'vitest'
import { createSimulatedFeed } from '@/lib/market-data/simulated-feed'
import { runAnalysisCycle, type CycleTrigger } from '@/lib/server/decisions/run-analysis-cycle'
import { createTrader } from '@/lib/server/traders/create-trader'
import { startFakeOpenAI, type FakeLlmServer } from '@/tests/support/fake-openai'
import { useFakeLlmTrader } from '@/tests/support/fake-llm-trader'
import { useManualTraderSettings } from '@/tests/support/manual-trader-settings'
import { AnalysisScheduler } from '@/workers/decisions/analysis-scheduler'
import { seedMarket } from '@/tests/support/seed-market'
import { createTestDatabase, type TestDatabase } from '@/tests/support/test-db'

// A symbol just added to the watchlist has no quote until the feed's next poll. A cycle a person
// (Analyze now) or a signal asked for waits for it; a scheduled one does not (it comes again),
// except in a worker just started, whose stored prices are stale until its feed quotes again.
let t: TestDatabase
let llm: FakeLlmServer
let traderId: string
const feed = createSimulatedFeed({ symbols: { 'BTC/USDT': { start: '60000' }, 'ETH/USDT': { start: '3000' }, 'SOL/USDT': { start: '150' }, 'ADA/USDT': { start: '0.5' } } })
const noTrade = (symbol: string) => ({ json: { symbol, reasoning: 'test', confidence: 0.5, action: 'NO_TRADE' } })
const cycle = (trigger: CycleTrigger, firstDataWaitMs?: number, of = traderId) =>
  runAnalysisCycle({ db: t.db, traderId: of, candles: (s, tf, n) => feed.fetchCandles(s, tf, n), actor: { kind: 'WORKER', id: 'test' }, trigger, staleAfterMs: 60_000, firstDataWaitMs })

beforeAll(async () => {
  t = await createTestDatabase()
  llm = await startFakeOpenAI({ apiKey: 'sk-test-wait' })
  const userId = (await t.db.user.create({ data: { email: 'first-data@example.com', passwordHash: 'x' } })).id
  traderId = (await createTrader({ db: t.db, userId, input: { name: 'Wait', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['BTC/USDT', 'ETH/USDT'] } })).id
  await useManualTraderSettings(t.db, traderId)
  await useFakeLlmTrader(t.db, traderId, { url: llm.url, apiKey: 'sk-test-wait' })
  await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60010' })
})
afterAll(async () => {
  await llm.close()
  await t.drop()
})

test("a new trader's first scheduled cycle waits for its symbols' first quotes: it is due the moment the trader is created", async () => {
  const userId = (await t.db.user.create({ data: { email: 'first-cycle@example.com', passwordHash: 'x' } })).id
  const fresh = (await createTrader({ db: t.db, userId, input: { name: 'Fresh', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: ['ADA/USDT'] } })).id
  await useManualTraderSettings(t.db, fresh)
  await useFakeLlmTrader(t.db, fresh, { url: llm.url, apiKey: 'sk-test-wait' })
  llm.script([noTrade('ADA/USDT')])
  const quoted = new Promise<void>((resolve) => setTimeout(() => void seedMarket(t.db, { symbol: 'ADA/USDT', bid: '0.5', ask: '0.5001' }).then(resolve), 800))
  const r = await cycle('SCHEDULE', 10_000, fresh)
  await quoted
  expect(r.decisions.map((d) => [d.symbol, d.outcome, d.error])).toEqual([['ADA/USDT', 'NO_ACTION', null]])
})

test('a later scheduled cycle does not wait for a symbol with no market data yet', async () => {
  await t.db.trader.update({ where: { id: traderId }, data: { lastCycleAt: new Date(Date.now() - 5 * 60_000) } })
  llm.script([noTrade('BTC/USDT')])
  const r = await cycle('SCHEDULE')
  expect(r.decisions.map((d) => [d.symbol, d.outcome, d.error])).toEqual([
    ['BTC/USDT', 'NO_ACTION', null],
    ['ETH/USDT', 'FAILED', 'no market data for ETH/USDT yet'],
  ])
})

test('Analyze now waits for the first quote of a symbol the feed has not quoted yet, then decides on it', async () => {
  llm.script([noTrade('BTC/USDT'), noTrade('ETH/USDT')])
  const quoted = new Promise<void>((resolve) => setTimeout(() => void seedMarket(t.db, { symbol: 'ETH/USDT', bid: '3000', ask: '3000.5' }).then(resolve), 800))
  const r = await cycle('MANUAL')
  await quoted
  expect(r.decisions.map((d) => [d.symbol, d.outcome, d.error])).toEqual([
    ['BTC/USDT', 'NO_ACTION', null],
    ['ETH/USDT', 'NO_ACTION', null],
  ])
})

test('it waits only so long: a symbol that never gets a quote fails with the reason', async () => {
  await t.db.trader.update({ where: { id: traderId }, data: { watchlist: ['BTC/USDT', 'SOL/USDT'] } })
  llm.script([noTrade('BTC/USDT')])
  const r = await cycle('SIGNAL', 600)
  expect(r.decisions.map((d) => [d.symbol, d.outcome, d.error])).toEqual([
    ['BTC/USDT', 'NO_ACTION', null],
    ['SOL/USDT', 'FAILED', 'no market data for SOL/USDT yet'],
  ])
})

test("the worker's log line for a failed cycle says why, as the journal does", async () => {
  await t.db.trader.update({ where: { id: traderId }, data: { watchlist: ['BTC/USDT', 'DOGE/USDT'] } })
  llm.script([noTrade('BTC/USDT')])
  const lines: string[] = []
  const scheduler = new AnalysisScheduler(t.db, { candles: (s, tf, n) => feed.fetchCandles(s, tf, n), actor: { kind: 'WORKER', id: 'test' }, log: (m) => lines.push(m), staleAfterMs: 60_000 })
  await scheduler.trigger(traderId, 'SCHEDULE')
  expect(lines).toEqual([`cycle ${traderId}: DOGE/USDT - FAILED (no market data for DOGE/USDT yet)`])
})

// A worker just started: the prices stored before it stopped are minutes old until its feed quotes again.
test("a worker's first cycles wait for fresh prices in place of stale ones, then decide on them", async () => {
  await t.db.trader.update({ where: { id: traderId }, data: { watchlist: ['BTC/USDT'], lastCycleAt: new Date(Date.now() - 5 * 60_000) } })
  await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60010', receivedAt: Date.now() - 10 * 60_000 })
  llm.script([noTrade('BTC/USDT')])
  const quoted = new Promise<void>((resolve) => setTimeout(() => void seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60010' }).then(resolve), 800))
  const started = Date.now()
  const r = await runAnalysisCycle({ db: t.db, traderId, candles: (s, tf, n) => feed.fetchCandles(s, tf, n), actor: { kind: 'WORKER', id: 'test' }, trigger: 'SCHEDULE', staleAfterMs: 60_000, freshPricesBy: started + 10_000 })
  await quoted
  expect(r.decisions.map((d) => [d.symbol, d.outcome, d.error])).toEqual([['BTC/USDT', 'NO_ACTION', null]])
})

test('after that, and for a feed that stays silent, a stale price fails the symbol with the reason', async () => {
  await seedMarket(t.db, { symbol: 'BTC/USDT', bid: '60000', ask: '60010', receivedAt: Date.now() - 10 * 60_000 })
  const past = await runAnalysisCycle({ db: t.db, traderId, candles: (s, tf, n) => feed.fetchCandles(s, tf, n), actor: { kind: 'WORKER', id: 'test' }, trigger: 'SCHEDULE', staleAfterMs: 60_000, freshPricesBy: Date.now() - 1 })
  const silent = await runAnalysisCycle({ db: t.db, traderId, candles: (s, tf, n) => feed.fetchCandles(s, tf, n), actor: { kind: 'WORKER', id: 'test' }, trigger: 'SCHEDULE', staleAfterMs: 60_000, freshPricesBy: Date.now() + 600 })
  for (const r of [past, silent]) {
    expect(r.decisions.map((d) => [d.symbol, d.outcome])).toEqual([['BTC/USDT', 'FAILED']])
    expect(r.decisions[0]!.error).toMatch(/^the price of BTC\/USDT is stale \(60\d s old\): no decision on stale prices$/)
  }
})

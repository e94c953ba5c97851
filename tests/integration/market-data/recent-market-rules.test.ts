import { afterAll, beforeAll, expect, test } from 'vitest'
import { dec } from '@/lib/domain/decimal'
import { recentMarketRules, RULES_REREAD_MS, saveMarketRules } from '@/lib/market-data/quote-store'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(async () => {
  await t.drop()
})

const rules = (symbol: string, step: string) => ({ symbol, base: symbol.split('/')[0]!, quote: 'USDT', tickSize: dec('0.01'), stepSize: dec(step), minQty: dec('0.001'), minNotional: dec('5') })
const step = async (symbol: string, now: number) => (await recentMarketRules(t.db, symbol, now))?.stepSize.toFixed() ?? null
// A change written by another process (the worker's feed): this process does not hear of it.
const changedElsewhere = (symbol: string, s: string) => t.db.$executeRaw`UPDATE "MarketRule" SET "stepSize" = ${s}::numeric WHERE symbol = ${symbol}`

test("a symbol's rules are read once per RULES_REREAD_MS; another process's change shows after that, this process's at once", async () => {
  await saveMarketRules(t.db, rules('RR1/USDT', '0.001'), 'test')
  expect(await step('RR1/USDT', 1_000)).toBe('0.001')
  await changedElsewhere('RR1/USDT', '0.01')
  expect(await step('RR1/USDT', 1_000 + RULES_REREAD_MS - 1)).toBe('0.001')
  expect(await step('RR1/USDT', 1_000 + RULES_REREAD_MS)).toBe('0.01')
  // Saved in this process: read again at the next call.
  await saveMarketRules(t.db, rules('RR1/USDT', '0.1'), 'test')
  expect(await step('RR1/USDT', 1_000 + RULES_REREAD_MS)).toBe('0.1')
})

test('a symbol without rules is not remembered as such: its rules count as soon as the feed writes them', async () => {
  expect(await step('RR2/USDT', 5_000)).toBeNull()
  await t.db.$executeRaw`INSERT INTO "MarketRule" (symbol, base, quote, "tickSize", "stepSize", "minQty", "minNotional", source, "updatedAt")
    VALUES ('RR2/USDT', 'RR2', 'USDT', 0.01, 0.5, 0.001, 5, 'test', now())`
  expect(await step('RR2/USDT', 5_000)).toBe('0.5')
})

test('each database has its own', async () => {
  const other = await createTestDatabase()
  try {
    await saveMarketRules(t.db, rules('RR3/USDT', '0.001'), 'test')
    await saveMarketRules(other.db, rules('RR3/USDT', '0.02'), 'test')
    expect(await step('RR3/USDT', 9_000)).toBe('0.001')
    expect((await recentMarketRules(other.db, 'RR3/USDT', 9_000))?.stepSize.toFixed()).toBe('0.02')
  } finally {
    await other.drop()
  }
})

import { afterAll, beforeAll } from 'vitest'
import type { Db } from '@/lib/db/client'
import { sealSecret } from '@/lib/server/secrets/secret-box'
import { createTrader } from '@/lib/server/traders/create-trader'
import { startFakeOpenAI, type FakeLlmServer } from './fake-openai'
import { useManualTraderSettings } from './manual-trader-settings'
import { createTestDatabase, type TestDatabase } from './test-db'

/**
 * A trader deciding with the local OpenAI-compatible server: automatic, a 1-minute cycle on 1m
 * candles, minimum confidence 0.6, and a fixed 1,000 quote per entry.
 */
export async function useFakeLlmTrader(db: Db, traderId: string, llm: { url: string; apiKey: string }): Promise<void> {
  await db.trader.update({
    where: { id: traderId },
    data: {
      autoTrade: true,
      provider: 'OPENAI_COMPATIBLE',
      aiApiKeyEnc: sealSecret(llm.apiKey),
      aiSettings: { baseUrl: llm.url, model: 'fake-model', timeoutMs: 1000, maxRetries: 0, intervalMinutes: 1, timeframes: ['1m'], minConfidence: '0.6', maxModificationsPerHour: 20 },
      sizing: { mode: 'FIXED_QUOTE', amount: '1000' },
    },
  })
}

/**
 * A test database, the local OpenAI-compatible server and one user's paper trader (10,000 USDT,
 * no limits or rules) deciding with it (useFakeLlmTrader): set up before the file's tests, torn
 * down after. Read its fields inside tests (they are set in beforeAll).
 */
export function fakeLlmTraderScenario(o: { email: string; watchlist: string[] }) {
  const s = { t: undefined as unknown as TestDatabase, llm: undefined as unknown as FakeLlmServer, userId: '', traderId: '' }
  beforeAll(async () => {
    s.t = await createTestDatabase()
    s.llm = await startFakeOpenAI({ apiKey: 'sk-test-123456' })
    s.userId = (await s.t.db.user.create({ data: { email: o.email, passwordHash: 'x' } })).id
    s.traderId = (await createTrader({ db: s.t.db, userId: s.userId, input: { name: 'Model', quoteCurrency: 'USDT', startingBalance: '10000', watchlist: o.watchlist } })).id
    await useManualTraderSettings(s.t.db, s.traderId)
    await useFakeLlmTrader(s.t.db, s.traderId, { url: s.llm.url, apiKey: 'sk-test-123456' })
  })
  afterAll(async () => {
    await s.llm?.close()
    await s.t?.drop()
  })
  return s
}

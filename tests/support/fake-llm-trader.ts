import type { Db } from '@/lib/db/client'
import { sealSecret } from '@/lib/server/secrets/secret-box'

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

// Decision-cycle latency with the model's own time taken out: context (quotes, candles, ledger,
// risk state), validation, sizing and recording, per symbol, against a real PostgreSQL. The
// rules provider needs no model; the LLM case talks to a local OpenAI-compatible server.
import { performance } from 'node:perf_hooks'
import { createDb } from '@/lib/db/client'
import { LIMIT_LABELS } from '@/lib/domain/risk/risk-limits'
import { saveMarketRules, saveQuotes } from '@/lib/market-data/quote-store'
import { createSimulatedFeed } from '@/lib/market-data/simulated-feed'
import { runAnalysisCycle } from '@/lib/server/decisions/run-analysis-cycle'
import { sealSecret } from '@/lib/server/secrets/secret-box'
import { createTrader } from '@/lib/server/traders/create-trader'
import { startFakeOpenAI } from '@/tests/support/fake-openai'
import { withBenchDatabase } from './bench-database'

const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT']
const WARM_UP_CYCLES = 10

export async function benchDecisionCycle(cycles: number) {
  process.env.SECRETS_KEY ??= 'bench-secrets-key-not-for-production'
  return withBenchDatabase(async (url) => {
    const db = createDb(url)
    const llm = await startFakeOpenAI()
    llm.setResponder((req) => {
      // The symbol the prompt asks about (lib/ai/prompt.ts): answering for another one fails the decision.
      const symbol = SYMBOLS.find((s) => JSON.stringify(req.messages).includes(`Decide now for ${s}.`))
      if (!symbol) throw new Error('the decision prompt names none of the bench symbols')
      return { json: { symbol, reasoning: 'bench', action: 'NO_TRADE', confidence: 0.5 } }
    })
    try {
      const feed = createSimulatedFeed()
      const user = await db.user.create({ data: { email: 'bench-cycle@example.com', passwordHash: 'x' } })
      const noLimits = Object.fromEntries(Object.keys(LIMIT_LABELS).map((k) => [k, null]))
      const rows = []
      for (const provider of ['RULES', 'OPENAI_COMPATIBLE'] as const) {
        const trader = await createTrader({ db, userId: user.id, input: { name: provider, quoteCurrency: 'USDT', startingBalance: '10000', watchlist: SYMBOLS, autoTrade: false } })
        await db.trader.update({
          where: { id: trader.id },
          data: { provider, riskLimits: noLimits, aiApiKeyEnc: sealSecret('sk-bench'), aiSettings: { baseUrl: llm.url, model: 'bench', timeframes: ['1m', '15m'], maxRetries: 0 } },
        })
        let total = 0
        let model = 0
        let n = 0
        // The first cycles of a process pay for compiling and planning its queries: not counted
        // (with 3, whichever provider ran first measured 3-5 ms slower than when run second).
        for (let c = -WARM_UP_CYCLES; c < cycles; c++) {
          const quotes = await feed.fetchQuotes(SYMBOLS)
          for (const s of SYMBOLS) await saveMarketRules(db, await feed.marketRules(s), feed.label)
          await saveQuotes(db, quotes, feed.label)
          const t0 = performance.now()
          const r = await runAnalysisCycle({ db, traderId: trader.id, candles: (s, tf, k) => feed.fetchCandles(s, tf, k), actor: { kind: 'WORKER' }, trigger: 'SCHEDULE', staleAfterMs: 60_000 })
          // A failed decision is cheap and would flatter the figure: the bench measures decisions made.
          const failed = r.decisions.find((d) => d.outcome === 'FAILED')
          if (failed) throw new Error(`${provider}: the decision for ${failed.symbol} failed: ${failed.error}`)
          if (c < 0) continue
          total += performance.now() - t0
          model += r.decisions.reduce((m, d) => m + d.modelLatencyMs, 0)
          n += r.decisions.length
        }
        rows.push({ provider, cycles, symbolsPerCycle: SYMBOLS.length, msPerSymbolExcludingModel: ((total - model) / n).toFixed(1), msPerCycleExcludingModel: ((total - model) / cycles).toFixed(1), modelMsPerSymbol: (model / n).toFixed(1) })
      }
      return rows
    } finally {
      await llm.close()
      await db.$disconnect()
    }
  })
}

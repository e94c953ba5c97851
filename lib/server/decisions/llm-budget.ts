import type { DbTx } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { dec } from '@/lib/domain/decimal'
import { tradingDayStart } from '@/lib/domain/risk/trading-day'
import type { AiSettings } from '@/lib/server/traders/trader-settings'

// A common rule of thumb for English text and JSON: about four characters per token.
const CHARS_PER_TOKEN = 4

/**
 * Today's model usage for a trader (the user's calendar day) and, when a daily budget is used
 * up, why no further calls are made. Rules keep protecting positions either way.
 *
 * A call that timed out reports no usage, yet the provider may have read (and billed) its prompt:
 * each counts here as its prompt's length in tokens, estimated from its characters, priced at the
 * input rate. The journal keeps the usage the provider reported (none); only the budget counts
 * the estimate, so a provider that keeps timing out cannot spend past it.
 */
export async function llmBudgetProblem(tx: DbTx, opts: { traderId: string; timeZone: string; now: number; ai: AiSettings }): Promise<string | null> {
  const { dailyTokenBudget, dailyCostBudgetUsd } = opts.ai
  if (dailyTokenBudget === null && dailyCostBudgetUsd === null) return null
  const since = new Date(tradingDayStart(opts.now, opts.timeZone))
  const used = await tx.decision.aggregate({
    where: { traderId: opts.traderId, createdAt: { gte: since } },
    _sum: { promptTokens: true, completionTokens: true, costUsd: true },
  })
  // An aggregate without GROUP BY answers exactly one row.
  const [{ calls, tokens: estimated }] = await tx.$queryRaw<[{ calls: number; tokens: number }]>`
    SELECT count(*)::int AS calls,
      COALESCE(sum(ceil((length(COALESCE(c.prompt->>'system', '')) + length(COALESCE(c.prompt->>'user', ''))) / ${CHARS_PER_TOKEN}::numeric)), 0)::int AS tokens
    FROM "Decision" d JOIN "DecisionCall" c ON c."decisionId" = d.id
    WHERE d."traderId" = ${opts.traderId} AND d."createdAt" >= ${since} AND d.error LIKE 'TIMEOUT:%' AND d."promptTokens" = 0 AND d."completionTokens" = 0`
  const why = `estimated for ${calls} call(s) that timed out`
  const tokens = (used._sum.promptTokens ?? 0) + (used._sum.completionTokens ?? 0) + estimated
  if (dailyTokenBudget !== null && tokens >= dailyTokenBudget) return `daily token budget used up (${tokens} of ${dailyTokenBudget} tokens${calls ? `, ${estimated} of them ${why}` : ''}): no model calls until tomorrow`
  const cost = fromDb(used._sum.costUsd ?? 0).plus(dec(estimated).mul(opts.ai.inputCostPerMTok).div(1_000_000))
  if (dailyCostBudgetUsd !== null && cost.gte(dailyCostBudgetUsd)) {
    return `daily cost budget used up (${cost.toFixed(4)} of ${dailyCostBudgetUsd.toFixed()} USD${calls ? `, ${estimated} tokens of it ${why}` : ''}): no model calls until tomorrow`
  }
  return null
}

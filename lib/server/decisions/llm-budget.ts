import type { DbTx } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { tradingDayStart } from '@/lib/domain/risk/trading-day'
import type { AiSettings } from '@/lib/server/traders/trader-settings'

/**
 * Today's model usage for a trader (the user's calendar day) and, when a daily budget is used
 * up, why no further calls are made. Rules keep protecting positions either way.
 */
export async function llmBudgetProblem(tx: DbTx, opts: { traderId: string; timeZone: string; now: number; ai: AiSettings }): Promise<string | null> {
  const { dailyTokenBudget, dailyCostBudgetUsd } = opts.ai
  if (dailyTokenBudget === null && dailyCostBudgetUsd === null) return null
  const since = new Date(tradingDayStart(opts.now, opts.timeZone))
  const used = await tx.decision.aggregate({
    where: { traderId: opts.traderId, createdAt: { gte: since } },
    _sum: { promptTokens: true, completionTokens: true, costUsd: true },
  })
  const tokens = (used._sum.promptTokens ?? 0) + (used._sum.completionTokens ?? 0)
  if (dailyTokenBudget !== null && tokens >= dailyTokenBudget) return `daily token budget used up (${tokens} of ${dailyTokenBudget} tokens): no model calls until tomorrow`
  const cost = fromDb(used._sum.costUsd ?? 0)
  if (dailyCostBudgetUsd !== null && cost.gte(dailyCostBudgetUsd)) return `daily cost budget used up (${cost.toFixed(4)} of ${dailyCostBudgetUsd.toFixed()} USD): no model calls until tomorrow`
  return null
}

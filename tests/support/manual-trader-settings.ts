import type { Db } from '@/lib/db/client'

/**
 * For tests about order and position mechanics, not about limits or automation: no risk
 * limits (trader and user-wide), no rule-based stop management, no automatic decisions.
 * Tests of those features set them explicitly.
 */
export const RISK_LIMITS_OFF: Record<string, null> = Object.fromEntries(
  ['maxPositionQuote', 'maxPositionPctEquity', 'maxConcurrentPositions', 'maxExposureQuote', 'maxExposurePctEquity', 'maxRiskPerTradePct', 'dailyLossLimitQuote', 'dailyLossLimitPct', 'maxDrawdownPct', 'maxTradesPerDay', 'cooldownMinutes', 'maxConsecutiveLosses', 'minOrderQuote', 'maxOrderQuote', 'duplicateWindowSeconds'].map((k) => [k, null]),
)

export async function useManualTraderSettings(db: Db, traderId: string): Promise<void> {
  const off = RISK_LIMITS_OFF
  const t = await db.trader.update({
    where: { id: traderId },
    data: { autoTrade: false, riskLimits: off, management: { breakevenAtPct: null, trailingPct: null, trailingAtrMult: null, tightenAfterMinutes: null, tightenToPct: null } },
  })
  await db.user.update({ where: { id: t.userId }, data: { riskLimits: off } })
}

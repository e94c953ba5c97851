import type { Db } from '@/lib/db/client'
import { LIMIT_LABELS } from '@/lib/domain/risk/risk-limits'

/** Every risk limit switched off (null), named from the domain's own list of limits. */
export const RISK_LIMITS_OFF: Record<string, null> = Object.fromEntries(Object.keys(LIMIT_LABELS).map((k) => [k, null]))

/**
 * For tests about order and position mechanics, not about limits or automation: no risk
 * limits (trader and user-wide), no rule-based stop management, no automatic decisions.
 * Tests of those features set them explicitly.
 */
export async function useManualTraderSettings(db: Db, traderId: string): Promise<void> {
  const t = await db.trader.update({
    where: { id: traderId },
    data: { autoTrade: false, riskLimits: RISK_LIMITS_OFF, management: { breakevenAtPct: null, trailingPct: null, trailingAtrMult: null, tightenAfterMinutes: null, tightenToPct: null } },
  })
  await db.user.update({ where: { id: t.userId }, data: { riskLimits: RISK_LIMITS_OFF } })
}

import type { DecisionSettings } from '@/lib/domain/decisions/decision-settings'
import type { Decimal } from '@/lib/domain/decimal'
import type { AiSettings } from '@/lib/server/traders/trader-settings'

/**
 * The validation layer's settings for a trader. Shorts need a venue that can short (the exchange
 * port's shortSelling capability: the paper account nets a negative balance; spot cannot).
 */
export function decisionSettingsFor(ai: AiSettings, venue: { shortSelling: boolean; takerFeeRate: Decimal }): DecisionSettings {
  return {
    minConfidence: ai.minConfidence,
    maxStopDistancePct: ai.maxStopDistancePct,
    maxEntryDeviationPct: ai.maxEntryDeviationPct,
    maxTargetDistancePct: ai.maxTargetDistancePct,
    takerFeeRate: venue.takerFeeRate,
    minTpFeeMultiple: ai.minTpFeeMultiple,
    maxModificationsPerHour: ai.maxModificationsPerHour,
    canShort: ai.allowShort && venue.shortSelling,
  }
}

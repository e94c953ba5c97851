import { dec, type Decimal } from '@/lib/domain/decimal'

/** The trader's limits every decision is checked against (see validate-decision.ts). */
export interface DecisionSettings {
  /** 0..1. Entries, exits and modifications with a lower confidence are refused. */
  minConfidence: Decimal
  /** Percent. The stop may be at most this far from the entry reference (for a modification: from the exit price). */
  maxStopDistancePct: Decimal
  /** Percent. A LIMIT entry price may be at most this far from the market mid; catches invented prices. */
  maxEntryDeviationPct: Decimal
  /** Percent. A take-profit may be at most this far from the entry reference. */
  maxTargetDistancePct: Decimal
  /** Fraction per side, e.g. 0.001 for 0.1 %. */
  takerFeeRate: Decimal
  /** A take-profit must be at least this many round-trip fees away from the reference. */
  minTpFeeMultiple: Decimal
  /** Per position, counting the AI's modifications in the last hour plus the ones in this decision. */
  maxModificationsPerHour: number
  canShort: boolean
}

/** Conservative defaults: spot-only (no shorts), a 10 % stop cap, targets that cover fees twice over. */
export const DEFAULT_DECISION_SETTINGS: Readonly<DecisionSettings> = Object.freeze({
  minConfidence: dec('0.6'),
  maxStopDistancePct: dec('10'),
  maxEntryDeviationPct: dec('2'),
  maxTargetDistancePct: dec('50'),
  takerFeeRate: dec('0.001'),
  minTpFeeMultiple: dec('2'),
  maxModificationsPerHour: 6,
  canShort: false,
})

/** The smallest take-profit distance, in percent of the reference: the round-trip taker fee times the multiple. */
export function minTargetDistancePct(settings: Pick<DecisionSettings, 'takerFeeRate' | 'minTpFeeMultiple'>): Decimal {
  return settings.takerFeeRate.mul(2).mul(settings.minTpFeeMultiple).mul(100)
}

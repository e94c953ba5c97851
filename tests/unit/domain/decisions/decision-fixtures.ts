import { dec } from '@/lib/domain/decimal'
import type { DecisionSettings } from '@/lib/domain/decisions/decision-settings'
import type { MarketRules } from '@/lib/domain/market/precision'

/** BTC/USDT with Binance-like precision, shared by the decision and modification tables. */
export const RULES: MarketRules = {
  symbol: 'BTC/USDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: dec('0.01'),
  stepSize: dec('0.0001'),
  minQty: dec('0.0001'),
  minNotional: dec('5'),
}

// Stop at most 5 %, limit at most 2 % from mid, targets between 0.4 % (2 × 0.1 % × 2) and 20 %.
export const SETTINGS: DecisionSettings = {
  minConfidence: dec('0.6'),
  maxStopDistancePct: dec('5'),
  maxEntryDeviationPct: dec('2'),
  maxTargetDistancePct: dec('20'),
  takerFeeRate: dec('0.001'),
  minTpFeeMultiple: dec('2'),
  maxModificationsPerHour: 6,
  canShort: true,
}

'use client'

import { updateTraderSettingsAction } from '@/app/(app)/traders/actions'
import type { RiskLimitName } from '@/lib/domain/risk/risk-limits'
import { SettingsForm, type SettingSpec } from './settings-form'

const INT_LIMITS = new Set<RiskLimitName>(['maxConcurrentPositions', 'maxTradesPerDay', 'cooldownMinutes', 'maxConsecutiveLosses', 'duplicateWindowSeconds'])

/** Every risk limit, labelled with its unit; amounts in `quote`. */
function labels(quote: string): Record<RiskLimitName, string> {
  return {
    maxPositionQuote: `Max position size (${quote})`,
    maxPositionPctEquity: 'Max position size (% of equity)',
    maxConcurrentPositions: 'Max open positions',
    maxExposureQuote: `Max total exposure (${quote})`,
    maxExposurePctEquity: 'Max total exposure (% of equity)',
    maxRiskPerTradePct: 'Max risk per trade (% of equity)',
    dailyLossLimitQuote: `Daily loss limit (${quote})`,
    dailyLossLimitPct: 'Daily loss limit (% of equity)',
    maxDrawdownPct: 'Max drawdown (% from peak)',
    maxTradesPerDay: 'Max trades per day',
    cooldownMinutes: 'Cooldown per symbol (minutes)',
    maxConsecutiveLosses: 'Max consecutive losses',
    minOrderQuote: `Min order size (${quote})`,
    maxOrderQuote: `Max order size (${quote})`,
    duplicateWindowSeconds: 'Duplicate order window (seconds)',
  }
}

/** The limit fields under `prefix` (`risk` for a trader, `limits` for the user-wide ones); blank = off. */
export function riskLimitSpecs(prefix: string, quote: string): SettingSpec[] {
  return Object.entries(labels(quote)).map(([key, label]) => ({
    path: `${prefix}.${key}`,
    label,
    kind: INT_LIMITS.has(key as RiskLimitName) ? 'int' : 'decimal',
    offable: true,
  }))
}

export function TraderRiskLimitsForm({ traderId, quote, values, defaults }: { traderId: string; quote: string; values: unknown; defaults: unknown }) {
  return (
    <SettingsForm
      label="Risk limit settings"
      submitLabel="Save risk limits"
      idPrefix="trader"
      specs={riskLimitSpecs('risk', quote)}
      values={values}
      defaults={defaults}
      save={(input) => updateTraderSettingsAction(traderId, input)}
    />
  )
}

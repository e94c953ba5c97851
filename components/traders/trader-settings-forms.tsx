'use client'

import { useState } from 'react'
import { updateTraderSettingsAction } from '@/app/(app)/traders/actions'
import { TIMEFRAMES } from '@/lib/domain/market/candle'
import type { TraderSettingsView } from '@/lib/server/traders/trader-settings-view'
import { errorFor, FormFooter, readSettings, SettingField, SettingsForm, useSettingsAction, valueAt, type SettingSpec } from './settings-form'

/** Forms of the trader page, one per settings group; each saves only its own fields. */
interface FormProps {
  settings: TraderSettingsView
  /** The schemas' defaults, shown next to each field. */
  defaults: unknown
}

const save = (traderId: string) => (input: Record<string, unknown>) => updateTraderSettingsAction(traderId, input)

const AUTOMATION: SettingSpec[] = [
  { path: 'autoTrade', label: 'Trade automatically', kind: 'bool', hint: 'Analyse the watchlist on the schedule below and act on the decisions.' },
  { path: 'dryRun', label: 'Dry run', kind: 'bool', hint: 'Record every decision, place no orders.' },
  { path: 'ai.intervalMinutes', label: 'Analysis interval (minutes)', kind: 'int', hint: '1 to 1440 (24 h).' },
  { path: 'ai.timeframes', label: 'Timeframes', kind: 'multi', options: TIMEFRAMES.map((t) => ({ value: t, label: t })), hint: 'Candles the analysis looks at (1 to 4); the first is the primary one.' },
]

export function AutomationForm({ settings, defaults }: FormProps) {
  return <SettingsForm label="Automation settings" submitLabel="Save automation settings" idPrefix="trader" specs={AUTOMATION} values={settings} defaults={defaults} save={save(settings.traderId)} columns={1} />
}

const DECISION_CHECKS: SettingSpec[] = [
  { path: 'ai.minConfidence', label: 'Minimum confidence (0–1)', kind: 'decimal', hint: 'Decisions below it are not acted on.' },
  { path: 'ai.maxStopDistancePct', label: 'Max stop distance (%)', kind: 'decimal' },
  { path: 'ai.maxEntryDeviationPct', label: 'Max entry deviation from market (%)', kind: 'decimal' },
  { path: 'ai.maxTargetDistancePct', label: 'Max take-profit distance (%)', kind: 'decimal' },
  { path: 'ai.minTpFeeMultiple', label: 'Min take-profit gain (× fees)', kind: 'decimal' },
  { path: 'ai.maxModificationsPerHour', label: 'Max modifications per hour', kind: 'int' },
  { path: 'ai.allowShort', label: 'Allow short positions', kind: 'bool' },
]

export function DecisionChecksForm({ settings, defaults }: FormProps) {
  return <SettingsForm label="Decision check settings" submitLabel="Save decision checks" idPrefix="trader" specs={DECISION_CHECKS} values={settings} defaults={defaults} save={save(settings.traderId)} />
}

const MANAGEMENT: SettingSpec[] = [
  { path: 'management.breakevenAtPct', label: 'Breakeven at profit (%)', kind: 'decimal', offable: true, hint: 'Move the stop to entry once this far in profit.' },
  { path: 'management.breakevenOffsetPct', label: 'Breakeven offset (%)', kind: 'decimal', hint: 'Beyond entry, to cover fees.' },
  { path: 'management.trailingPct', label: 'Trailing stop (%)', kind: 'decimal', offable: true },
  { path: 'management.trailingAtrMult', label: 'Trailing stop (ATR multiple)', kind: 'decimal', offable: true },
  { path: 'management.tightenAfterMinutes', label: 'Tighten after (minutes open)', kind: 'int', offable: true },
  { path: 'management.tightenToPct', label: 'Tighten stop to (% from price)', kind: 'decimal', offable: true },
]

export function ManagementForm({ settings, defaults }: FormProps) {
  return <SettingsForm label="Stop management settings" submitLabel="Save management rules" idPrefix="trader" specs={MANAGEMENT} values={settings} defaults={defaults} save={save(settings.traderId)} />
}

const APPROVALS: SettingSpec[] = [
  { path: 'approvals.entries', label: 'Approve entries', kind: 'bool', hint: 'New positions wait for you in Approvals.' },
  { path: 'approvals.exits', label: 'Approve exits', kind: 'bool' },
  { path: 'approvals.modifications', label: 'Approve modifications', kind: 'bool', hint: 'Stop and take-profit changes the AI proposes.' },
  { path: 'approvals.expiryMinutes', label: 'Approval expiry (minutes)', kind: 'int', hint: 'Unanswered requests expire after this.' },
]

export function ApprovalsForm({ settings, defaults }: FormProps) {
  return <SettingsForm label="Approval settings" submitLabel="Save approval settings" idPrefix="trader" specs={APPROVALS} values={settings} defaults={defaults} save={save(settings.traderId)} columns={1} />
}

const SIZING_MODES = [
  { value: 'RISK_PCT', label: 'Risk % of equity (by stop distance)' },
  { value: 'CONFIDENCE_SCALED', label: 'Risk %, scaled by confidence' },
  { value: 'EQUITY_PCT', label: '% of equity' },
  { value: 'FIXED_QUOTE', label: 'Fixed amount' },
] as const

/** The one value each sizing mode needs. */
function sizingValueSpec(mode: string, quote: string): SettingSpec {
  if (mode === 'FIXED_QUOTE') return { path: 'sizing.amount', label: `Amount per trade (${quote})`, kind: 'decimal' }
  if (mode === 'EQUITY_PCT') return { path: 'sizing.pct', label: 'Equity % per trade', kind: 'decimal', hint: 'Position value as a share of equity.' }
  return {
    path: 'sizing.riskPct',
    label: 'Risk % per trade',
    kind: 'decimal',
    hint: mode === 'CONFIDENCE_SCALED' ? 'Loss at the stop, as % of equity, at full confidence; less for lower confidence.' : 'Loss at the stop, as % of equity.',
  }
}

export function SizingForm({ settings }: FormProps) {
  const [mode, setMode] = useState<string>(settings.sizing.mode)
  const { pending, errors, formError, done, run } = useSettingsAction()
  const modeSpec: SettingSpec = { path: 'sizing.mode', label: 'Sizing mode', kind: 'select', options: SIZING_MODES }
  const valueSpec = sizingValueSpec(mode, settings.quoteCurrency)
  const specs = [modeSpec, valueSpec]
  return (
    <form
      aria-label="Sizing settings"
      noValidate
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault()
        const input = readSettings(e.currentTarget, specs)
        run(() => updateTraderSettingsAction(settings.traderId, input), () => 'Saved.')
      }}
    >
      <div className="grid gap-3 sm:grid-cols-2">
        <SettingField spec={modeSpec} value={mode} error={errorFor(errors, modeSpec.path)} idPrefix="trader" onChange={setMode} />
        {/* Keyed by path: each mode's value is its own field. */}
        <SettingField key={valueSpec.path} spec={valueSpec} value={valueAt(settings, valueSpec.path)} error={errorFor(errors, valueSpec.path)} idPrefix="trader" />
      </div>
      <FormFooter specs={specs} errors={errors} formError={formError} done={done} pending={pending} submitLabel="Save sizing" />
    </form>
  )
}

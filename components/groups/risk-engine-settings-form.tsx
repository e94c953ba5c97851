'use client'

import { useQueryClient } from '@tanstack/react-query'
import { updateRiskEngineSettingsAction } from '@/app/(app)/traders/[id]/signals/actions'
import { SettingsForm, type SettingSpec } from '@/components/traders/settings-form'
import type { StoredRiskEngineSettings } from '@/lib/server/groups/risk-engine-settings'
import { riskEngineKey } from './risk-engine-panel'

// The meanings are those of lib/server/groups/risk-engine-settings.ts; the service names errors `riskEngine.<field>`.
const SPECS: SettingSpec[] = [
  { path: 'riskEngine.enabled', label: 'Risk engine on', kind: 'bool', hint: 'Offset a losing group with part of the profit of your winning groups, then close it.' },
  { path: 'riskEngine.dryRun', label: 'Dry run', kind: 'bool', hint: 'Only record what it would do; no order is sent.' },
  { path: 'riskEngine.lossThresholdPct', label: 'Loss threshold %', kind: 'decimal', hint: 'A group qualifies as the loser once its open loss reaches this % of its cost (0.1–90).' },
  { path: 'riskEngine.minAgeMinutes', label: 'Timer (minutes)', kind: 'int', hint: '…and its last entry (pyramid) is at least this old (0–10080).' },
  { path: 'riskEngine.requireAllPyramids', label: 'Only once all pyramids are in', kind: 'bool', hint: '…and it has all of its pyramids: nothing is left to average down with.' },
  { path: 'riskEngine.maxWinners', label: 'Max winners', kind: 'int', hint: 'Winning groups taken from, the most profitable first (1–10).' },
]

/** The user's group risk engine: on or off, dry run, and when a group qualifies as the loser. */
export function RiskEngineSettingsForm({ initial, defaults }: { initial: StoredRiskEngineSettings; defaults: StoredRiskEngineSettings }) {
  const qc = useQueryClient()
  return (
    <SettingsForm
      label="Risk engine settings"
      submitLabel="Save risk engine settings"
      idPrefix="user"
      columns={3}
      specs={SPECS}
      values={{ riskEngine: initial }}
      defaults={{ riskEngine: defaults }}
      save={(input) => updateRiskEngineSettingsAction(input.riskEngine as Record<string, unknown>)}
      saved={(view) => {
        // Which groups qualify changes with the thresholds at once: show it without waiting for the next poll.
        qc.setQueryData(riskEngineKey, view)
        return view.settings.enabled ? (view.settings.dryRun ? 'Saved. In dry run it only records what it would do.' : 'Saved. It acts on the next qualifying group.') : 'Saved. The risk engine is off.'
      }}
    />
  )
}

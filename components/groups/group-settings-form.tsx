'use client'

import { useState } from 'react'
import { updateGroupSettingsAction } from '@/app/(app)/traders/[id]/signals/actions'
import { errorFor, FormFooter, readSettings, SettingField, useSettingsAction, valueAt, type SettingSpec } from '@/components/traders/settings-form'
import type { StoredGroupSettings } from '@/lib/server/groups/group-settings'

const SIZINGS = [
  { value: 'EQUAL', label: 'Equal: every leg the same' },
  { value: 'PYRAMID_UP', label: 'Pyramid up: deeper legs larger (1, 2, 3…)' },
  { value: 'PYRAMID_DOWN', label: 'Pyramid down: deeper legs smaller (…3, 2, 1)' },
  { value: 'VOLUME_SCALE', label: 'Volume scale: each DCA leg × a factor' },
  { value: 'CUSTOM', label: 'Custom weights' },
] as const
const TAKE_PROFIT_MODES = [
  { value: 'PER_LEG', label: 'Per leg: each leg at its own target' },
  { value: 'AGGREGATE', label: "Aggregate: every leg at the group's target" },
  { value: 'HYBRID', label: 'Hybrid: whichever a leg reaches first' },
] as const
const STOP_BASES = [
  { value: 'FIRST_ENTRY', label: 'First entry' },
  { value: 'AVERAGE', label: 'Average entry' },
] as const

/**
 * Every field of the group settings (their meanings are those of lib/server/groups/group-settings.ts);
 * the fields of a sizing or take-profit mode not chosen are left out of the form, so they keep
 * their stored values.
 */
function groupSpecs(quote: string, sizing: string, takeProfitMode: string): SettingSpec[] {
  const f = (name: string, spec: Omit<SettingSpec, 'path'>): SettingSpec => ({ path: `groups.${name}`, ...spec })
  return [
    f('enabled', { label: 'Build position groups', kind: 'bool', hint: 'Off: signals open single positions, as without groups. On: an entry plans a pyramid of DCA legs, and more entries add pyramids to the open group.' }),
    f('maxPyramids', { label: 'Max pyramids per group', kind: 'int', hint: 'Entries (pyramids) one group takes, the first included (1–20).' }),
    f('pyramidCapitalQuote', { label: `Capital per pyramid (${quote})`, kind: 'decimal', hint: "One pyramid's capital: the sum of its legs." }),
    f('groupBudgetQuote', { label: `Group budget (${quote})`, kind: 'decimal', placeholder: 'max pyramids × capital', hint: "Hard cap of a group's total notional across its pyramids. Blank: max pyramids × capital per pyramid." }),
    f('legs', { label: 'Legs per pyramid', kind: 'int', hint: 'The base leg included (1–20): leg 1 at market, the rest as resting limit entries further from the price.' }),
    f('firstGapPct', { label: 'First gap (%)', kind: 'decimal', hint: 'Distance of leg 2 from the entry price.' }),
    f('stepScale', { label: 'Step scale', kind: 'decimal', hint: 'Each further gap is the previous one × this (1: evenly spaced legs).' }),
    f('deviationsPct', { label: 'Deviations (%)', kind: 'text', placeholder: 'from first gap and step scale', hint: "Each DCA leg's distance from the entry, comma-separated and increasing (legs − 1 values, e.g. 1, 2.5, 4); overrides first gap and step scale. Blank: use them." }),
    f('maxActiveLegs', { label: 'Max resting legs', kind: 'int', hint: 'DCA legs resting at once across the group (all its pyramids); the rest wait and are placed as earlier ones fill.' }),
    f('sizing', { label: 'Leg sizing', kind: 'select', options: SIZINGS, hint: "How a pyramid's capital is split among its legs." }),
    ...(sizing === 'CUSTOM' ? [f('weightsPct', { label: 'Weights (%)', kind: 'text', placeholder: 'e.g. 20, 30, 50', hint: 'One weight per leg, comma-separated, summing to 100.' })] : []),
    ...(sizing === 'VOLUME_SCALE'
      ? [
          f('volumeScale', { label: 'Volume scale', kind: 'decimal', hint: 'Each DCA leg after the first is the previous one × this.' }),
          f('safetyRatio', { label: 'Safety ratio', kind: 'decimal', hint: 'The first DCA leg relative to the base leg.' }),
        ]
      : []),
    f('takeProfitMode', { label: 'Take-profit mode', kind: 'select', options: TAKE_PROFIT_MODES, hint: "Aggregate: every leg exits at the group's target, set from its average entry and reset by each DCA fill." }),
    ...(takeProfitMode !== 'AGGREGATE' ? [f('legTakeProfitPct', { label: 'Leg take-profit (%)', kind: 'decimal', hint: "From each leg's own fill price." })] : []),
    ...(takeProfitMode !== 'PER_LEG' ? [f('aggregateTakeProfitPct', { label: 'Aggregate take-profit (%)', kind: 'decimal', hint: "From the group's average entry." })] : []),
    ...(takeProfitMode === 'AGGREGATE'
      ? [f('trailingDeviationPct', { label: 'Trailing take-profit (%)', kind: 'decimal', offable: true, hint: "The aggregate target starts a trail instead of selling; the group is closed once the price falls back this far from its best since." })]
      : []),
    f('stopPct', { label: 'Stop (%)', kind: 'decimal', hint: "The group's stop, this far against it from its basis, beyond the deepest leg; only ever tightened. A signal's stop_loss takes its place for a new group." }),
    f('stopBasis', { label: 'Stop basis', kind: 'select', options: STOP_BASES, hint: 'Where the stop distance is measured from.' }),
  ]
}

/** Comma lists are shown as they are typed. */
const listed = (s: StoredGroupSettings) => ({ ...s, deviationsPct: s.deviationsPct?.join(', ') ?? null, weightsPct: s.weightsPct?.join(', ') ?? null })

/** How the trader's signals build position groups: pyramids of DCA legs, their sizing, targets and stop. */
export function GroupSettingsForm({ traderId, quote, initial, defaults }: { traderId: string; quote: string; initial: StoredGroupSettings; defaults: StoredGroupSettings }) {
  const [sizing, setSizing] = useState<string>(initial.sizing)
  const [takeProfitMode, setTakeProfitMode] = useState<string>(initial.takeProfitMode)
  const { pending, errors, formError, done, run } = useSettingsAction()
  const specs = groupSpecs(quote, sizing, takeProfitMode)
  const values = { groups: listed(initial) }
  const modeChange: Record<string, (v: string) => void> = { 'groups.sizing': setSizing, 'groups.takeProfitMode': setTakeProfitMode }
  return (
    <form
      aria-label="Position group settings"
      noValidate
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault()
        const input = readSettings(e.currentTarget, specs).groups as Record<string, unknown>
        run(() => updateGroupSettingsAction(traderId, input), () => 'Saved. Groups already open keep the settings they were created with.')
      }}
    >
      <p className="text-xs text-neutral-500">Changes apply to groups started from now on: a group already open keeps the settings it was created with, for every pyramid it adds.</p>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {specs.map((s) => (
          // Keyed by path: a mode's own fields come and go with it.
          <SettingField key={s.path} spec={s} value={valueAt(values, s.path)} def={valueAt({ groups: defaults }, s.path)} error={errorFor(errors, s.path)} idPrefix="trader" onChange={modeChange[s.path]} />
        ))}
      </div>
      <FormFooter specs={specs} errors={errors} formError={formError} done={done} pending={pending} submitLabel="Save group settings" />
    </form>
  )
}

'use client'

import { useQueryClient } from '@tanstack/react-query'
import { updatePoolSettingsAction } from '@/app/(app)/traders/[id]/signals/actions'
import { errorFor, FormFooter, readSettings, SettingField, useSettingsAction, valueAt, type SettingSpec } from '@/components/traders/settings-form'
import type { PoolSettings } from '@/lib/server/groups/pool-settings'
import { poolKey } from './pool-panel'

// The meanings are those of lib/server/groups/pool-settings.ts; the service names errors `pool.<field>`.
const SPECS: SettingSpec[] = [
  { path: 'pool.maxOpenGroups', label: 'Max open groups', kind: 'int', hint: 'Position groups open at once across all your traders (1–1000). An entry that finds the pool full waits in the queue.' },
  { path: 'pool.pyramidsTakeSlot', label: 'Pyramids take a slot', kind: 'bool', hint: 'Each further pyramid of an open group takes a slot of its own too, and may wait for one.' },
  { path: 'pool.queueExpiryMinutes', label: 'Queue expiry (minutes)', kind: 'int', hint: 'An entry waiting for a slot is dropped after this long (1–10080).' },
]

/** The user's group pool: its size and how long an entry may wait for a slot. */
export function PoolSettingsForm({ initial, defaults }: { initial: PoolSettings; defaults: PoolSettings }) {
  const qc = useQueryClient()
  const { pending, errors, formError, done, run } = useSettingsAction()
  return (
    <form
      aria-label="Group pool settings"
      noValidate
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault()
        const input = readSettings(e.currentTarget, SPECS).pool as Record<string, unknown>
        run(
          () => updatePoolSettingsAction(input),
          (view) => {
            // The slots change with the size at once: show them without waiting for the next poll.
            qc.setQueryData(poolKey, view)
            return 'Saved. Groups already open stay open; a smaller pool takes new entries once enough of them close.'
          },
        )
      }}
    >
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {SPECS.map((s) => (
          <SettingField key={s.path} spec={s} value={valueAt({ pool: initial }, s.path)} def={valueAt({ pool: defaults }, s.path)} error={errorFor(errors, s.path)} idPrefix="user" />
        ))}
      </div>
      <FormFooter specs={SPECS} errors={errors} formError={formError} done={done} pending={pending} submitLabel="Save pool settings" />
    </form>
  )
}

'use client'

import { useQueryClient } from '@tanstack/react-query'
import { updatePoolSettingsAction } from '@/app/(app)/traders/[id]/signals/actions'
import { SettingsForm, type SettingSpec } from '@/components/traders/settings-form'
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
  return (
    <SettingsForm
      label="Group pool settings"
      submitLabel="Save pool settings"
      idPrefix="user"
      columns={3}
      specs={SPECS}
      values={{ pool: initial }}
      defaults={{ pool: defaults }}
      save={(input) => updatePoolSettingsAction(input.pool as Record<string, unknown>)}
      saved={(view) => {
        // The slots change with the size at once: show them without waiting for the next poll.
        qc.setQueryData(poolKey, view)
        return 'Saved. Groups already open stay open; a smaller pool takes new entries once enough of them close.'
      }}
    />
  )
}

'use server'

import { db } from '@/lib/db/client'
import type { ActorRef } from '@/lib/server/audit/actor'
import { closeGroup } from '@/lib/server/groups/close-group'
import { getGroup, type GroupView } from '@/lib/server/groups/group-views'
import { promoteQueueEntry, removeQueueEntry, updatePoolSettings, type PoolView } from '@/lib/server/groups/pool-views'
import { runRiskEngineNow, setGroupRiskControls, updateRiskEngineSettings, type RiskEngineRunView, type RiskEngineView } from '@/lib/server/groups/risk-engine-views'
import { updateGroupSettings, type GroupSettingsView } from '@/lib/server/groups/update-group-settings'
import { rotateWebhookSecret } from '@/lib/server/signals/webhook-secret'
import { updateSignalSettings, type SignalSettingsView } from '@/lib/server/signals/update-signal-settings'
import { runAction, type ActionResult } from '@/lib/server/ui/action-result'
import { checkedId } from '@/lib/server/validation/id-field'

/** A new webhook secret for the trader: returned to the page this once, never again. */
export async function rotateWebhookSecretAction(traderId: string): Promise<ActionResult<{ secret: string; hint: string; createdAt: string }>> {
  return runAction('rotate webhook secret', async (user) => {
    const r = await rotateWebhookSecret({ db: db(), userId: user.id, traderId: checkedId(traderId, 'trader'), actor: { kind: 'USER', id: user.id } })
    return { secret: r.secret, hint: r.hint, createdAt: r.createdAt.toISOString() }
  })
}

export async function updateSignalSettingsAction(traderId: string, input: Record<string, unknown>): Promise<ActionResult<SignalSettingsView>> {
  return runAction('update signal settings', (user) => updateSignalSettings({ db: db(), userId: user.id, traderId: checkedId(traderId, 'trader'), input }))
}

export async function updateGroupSettingsAction(traderId: string, input: Record<string, unknown>): Promise<ActionResult<GroupSettingsView>> {
  return runAction('update group settings', (user) => updateGroupSettings({ db: db(), userId: user.id, traderId: checkedId(traderId, 'trader'), input }))
}

/** The Close group button: as POST /api/v1/groups/{id}/close, refused (409) for a group that is not open. */
export async function closeGroupAction(groupId: string): Promise<ActionResult<GroupView>> {
  return runAction('close group', async (user) => {
    const id = checkedId(groupId, 'position group')
    await closeGroup({ db: db(), userId: user.id, groupId: id, actor: { kind: 'USER', id: user.id }, reason: 'Closed by hand', strict: true })
    return getGroup(db(), user.id, id)
  })
}

/** The group pool is the user's, not the trader's: as PATCH /api/v1/pool/settings. */
export async function updatePoolSettingsAction(input: Record<string, unknown>): Promise<ActionResult<PoolView>> {
  return runAction('update pool settings', (user) => updatePoolSettings({ db: db(), userId: user.id, input }))
}

/** The Promote button: as POST /api/v1/pool/queue/{id}/promote, refused (409) while the pool is full. */
export async function promotePoolEntryAction(entryId: string): Promise<ActionResult<PoolView>> {
  return runAction('promote pool entry', (user) => promoteQueueEntry({ db: db(), userId: user.id, entryId: checkedId(entryId, 'queue entry') }))
}

/** The Remove button: as POST /api/v1/pool/queue/{id}/remove; the entry's signal is rejected. */
export async function removePoolEntryAction(entryId: string): Promise<ActionResult<PoolView>> {
  return runAction('remove pool entry', (user) => removeQueueEntry({ db: db(), userId: user.id, entryId: checkedId(entryId, 'queue entry') }))
}

/** Changes made in the web app are audited as the signed-in person. */
const person = (user: { id: string }): ActorRef => ({ kind: 'USER', id: user.id })

/** The risk engine is the user's, not the trader's: its settings, as the Risk engine form saves them. */
export async function updateRiskEngineSettingsAction(input: Record<string, unknown>): Promise<ActionResult<RiskEngineView>> {
  return runAction('update risk engine settings', (user) => updateRiskEngineSettings({ db: db(), userId: user.id, input }))
}

/** The Run now button: one decision at once; refused (409) while the risk engine is off or a run is still acting. */
export async function runRiskEngineNowAction(): Promise<ActionResult<{ run: RiskEngineRunView | null; message: string }>> {
  return runAction('run risk engine', (user) => runRiskEngineNow({ db: db(), userId: user.id, actor: person(user) }))
}

/** The Skip once / Block buttons of a group in the risk engine's list. */
export async function setGroupRiskControlsAction(groupId: string, input: { blocked?: boolean; skipOnce?: boolean }): Promise<ActionResult<RiskEngineView>> {
  return runAction('set group risk controls', (user) => setGroupRiskControls({ db: db(), userId: user.id, groupId: checkedId(groupId, 'position group'), input }))
}

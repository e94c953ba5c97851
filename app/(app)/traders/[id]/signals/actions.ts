'use server'

import { db } from '@/lib/db/client'
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

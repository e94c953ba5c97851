'use server'

import { db } from '@/lib/db/client'
import { createChannel, deleteChannel, sendTestNotification, updateChannel, type ChannelView, type TestNotificationOutcome } from '@/lib/server/notifications/channels'
import { runAction, type ActionResult } from '@/lib/server/ui/action-result'
import { checkedId } from '@/lib/server/validation/id-field'

/** Adds a webhook channel ({ name, url, format }); the URL is stored sealed and never comes back. */
export async function createChannelAction(input: unknown): Promise<ActionResult<ChannelView>> {
  return runAction('create notification channel', (user) => createChannel({ db: db(), userId: user.id, input }))
}

/** Enables/disables or renames a channel. */
export async function updateChannelAction(channelId: string, input: unknown): Promise<ActionResult<ChannelView>> {
  return runAction('update notification channel', (user) => updateChannel({ db: db(), userId: user.id, channelId: checkedId(channelId, 'notification channel'), input }))
}

export async function deleteChannelAction(channelId: string): Promise<ActionResult<null>> {
  return runAction('delete notification channel', async (user) => {
    await deleteChannel({ db: db(), userId: user.id, channelId: checkedId(channelId, 'notification channel') })
    return null
  })
}

/** Sends a test message now; a failed send is a result (with the reason), not an error. */
export async function testChannelAction(channelId: string): Promise<ActionResult<TestNotificationOutcome>> {
  return runAction('test notification channel', (user) => sendTestNotification({ db: db(), userId: user.id, channelId: checkedId(channelId, 'notification channel') }))
}

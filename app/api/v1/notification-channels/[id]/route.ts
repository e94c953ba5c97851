import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { deleteChannel, updateChannel } from '@/lib/server/notifications/channels'
import { ZNotificationChannel } from '@/lib/server/openapi/notification-schemas'
import { readJsonObject } from '../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** PATCH UpdateNotificationChannelRequest ({ name?, url?, format?, enabled? }) → 200 NotificationChannel. */
export const PATCH = apiRoute<{ id: string }>(async ({ req, db, params, user }) => {
  const channel = await updateChannel({ db, userId: user.id, channelId: params.id, input: await readJsonObject(req) })
  return jsonResponse(ZNotificationChannel.parse(channel))
})

/** DELETE → 204; the channel's delivery log goes with it. */
export const DELETE = apiRoute<{ id: string }>(async ({ db, params, user }) => {
  await deleteChannel({ db, userId: user.id, channelId: params.id })
  return new Response(null, { status: 204 })
})

export const { GET, POST, PUT } = otherMethods('PATCH', 'DELETE')

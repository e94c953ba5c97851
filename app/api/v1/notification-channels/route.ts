import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { createChannel, listChannels } from '@/lib/server/notifications/channels'
import { ZNotificationChannel, ZNotificationChannelList } from '@/lib/server/openapi/notification-schemas'
import { readJsonObject } from '../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** GET → 200 { channels }: the caller's webhook channels, each with a URL hint, never the URL. */
export const GET = apiRoute(async ({ db, user }) => jsonResponse(ZNotificationChannelList.parse({ channels: await listChannels({ db, userId: user.id }) })))

/** POST CreateNotificationChannelRequest ({ name, url, format?, enabled? }) → 201 NotificationChannel. */
export const POST = apiRoute(async ({ req, db, user }) => {
  const channel = await createChannel({ db, userId: user.id, input: await readJsonObject(req) })
  return jsonResponse(ZNotificationChannel.parse(channel), 201)
})

export const { PUT, PATCH, DELETE } = otherMethods('GET', 'POST')

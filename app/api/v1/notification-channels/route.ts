import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { createChannel, listChannels } from '@/lib/server/notifications/channels'
import { ZNotificationChannel, ZNotificationChannelList } from '@/lib/server/openapi/notification-schemas'
import { readJsonObject } from '../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** GET → 200 { channels }: the caller's webhook channels, each with a URL hint, never the URL. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  return jsonResponse(ZNotificationChannelList.parse({ channels: await listChannels({ db: db(), userId: user.id }) }))
})

/** POST CreateNotificationChannelRequest ({ name, url, format?, enabled? }) → 201 NotificationChannel. */
export const POST = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  const channel = await createChannel({ db: db(), userId: user.id, input: await readJsonObject(req) })
  return jsonResponse(ZNotificationChannel.parse(channel), 201)
})

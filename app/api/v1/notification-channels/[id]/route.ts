import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { deleteChannel, updateChannel } from '@/lib/server/notifications/channels'
import { ZNotificationChannel } from '@/lib/server/openapi/notification-schemas'
import { readJsonObject } from '../../_lib/read-json-object'

export const dynamic = 'force-dynamic'

type Ctx = { params: Promise<{ id: string }> }

/** PATCH UpdateNotificationChannelRequest ({ name?, url?, format?, enabled? }) → 200 NotificationChannel. */
export const PATCH = handleRoute(async (req: Request, { params }: Ctx) => {
  const user = await requireApiUser(req)
  const { id } = await params
  const channel = await updateChannel({ db: db(), userId: user.id, channelId: id, input: await readJsonObject(req) })
  return jsonResponse(ZNotificationChannel.parse(channel))
})

/** DELETE → 204; the channel's delivery log goes with it. */
export const DELETE = handleRoute(async (req: Request, { params }: Ctx) => {
  const user = await requireApiUser(req)
  const { id } = await params
  await deleteChannel({ db: db(), userId: user.id, channelId: id })
  return new Response(null, { status: 204 })
})

import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZListDeliveriesQuery } from '@/lib/server/notifications/notification-queries'
import { listDeliveries } from '@/lib/server/notifications/channels'
import { ZNotificationDeliveryList } from '@/lib/server/openapi/notification-schemas'
import { parseQuery } from '../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?channelId=&limit= → 200 { deliveries }: the outgoing-notification log, newest first. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  const q = parseQuery(req, ZListDeliveriesQuery)
  return jsonResponse(ZNotificationDeliveryList.parse({ deliveries: await listDeliveries({ db: db(), userId: user.id, ...q }) }))
})

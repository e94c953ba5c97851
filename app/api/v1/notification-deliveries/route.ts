import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZListDeliveriesQuery } from '@/lib/server/notifications/notification-queries'
import { listDeliveries } from '@/lib/server/notifications/channels'
import { ZNotificationDeliveryList } from '@/lib/server/openapi/notification-schemas'
import { parseQuery } from '../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?channelId=&limit= → 200 { deliveries }: the outgoing-notification log, newest first. */
export const GET = apiRoute(async ({ req, db, user }) => {
  const q = parseQuery(req, ZListDeliveriesQuery)
  return jsonResponse(ZNotificationDeliveryList.parse({ deliveries: await listDeliveries({ db, userId: user.id, ...q }) }))
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

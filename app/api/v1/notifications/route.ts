import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { ZListNotificationsQuery } from '@/lib/server/notifications/notification-queries'
import { listNotifications } from '@/lib/server/notifications/list-notifications'
import { ZNotificationList } from '@/lib/server/openapi/notification-schemas'
import { parseQuery } from '../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?before=&limit= → 200 { notifications, nextCursor }: the caller's activity feed, newest first. */
export const GET = apiRoute(async ({ req, db, user }) => {
  const q = parseQuery(req, ZListNotificationsQuery)
  return jsonResponse(ZNotificationList.parse(await listNotifications({ db, userId: user.id, ...q })))
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

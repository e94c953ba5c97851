import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { ZListNotificationsQuery } from '@/lib/server/notifications/notification-queries'
import { listNotifications } from '@/lib/server/notifications/list-notifications'
import { ZNotificationList } from '@/lib/server/openapi/notification-schemas'
import { parseQuery } from '../_lib/parse-query'

export const dynamic = 'force-dynamic'

/** GET ?before=&limit= → 200 { notifications, nextCursor }: the caller's activity feed, newest first. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  const q = parseQuery(req, ZListNotificationsQuery)
  return jsonResponse(ZNotificationList.parse(await listNotifications({ db: db(), userId: user.id, ...q })))
})

import { parseQuery } from '@/app/api/v1/_lib/parse-query'
import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { listNotifications } from '@/lib/server/notifications/list-notifications'
import { ZListNotificationsQuery } from '@/lib/server/notifications/notification-queries'
import { otherMethods } from '@/lib/server/http/method-not-allowed'

export const dynamic = 'force-dynamic'

/** One page of the notification feed (?before=&limit=), newest first. */
export const GET = apiRoute(async ({ req, db, user }) => {
  const q = parseQuery(req, ZListNotificationsQuery)
  return jsonResponse(await listNotifications({ db, userId: user.id, ...q }), 200, { 'Cache-Control': 'no-store' })
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

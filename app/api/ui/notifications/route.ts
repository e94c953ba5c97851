import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { fromZodError } from '@/lib/server/errors/app-error'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { listNotifications } from '@/lib/server/notifications/list-notifications'
import { ZListNotificationsQuery } from '@/lib/server/notifications/notification-queries'

export const dynamic = 'force-dynamic'

/** One page of the notification feed (?before=&limit=), newest first. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  const parsed = ZListNotificationsQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams))
  if (!parsed.success) throw fromZodError(parsed.error)
  return jsonResponse(await listNotifications({ db: db(), userId: user.id, ...parsed.data }), 200, { 'Cache-Control': 'no-store' })
})

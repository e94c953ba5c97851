import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { getNotificationSettings, updateNotificationSettings } from '@/lib/server/notifications/daily-summary-setting'
import { ZNotificationSettings } from '@/lib/server/openapi/notification-schemas'
import { readJsonObject } from '../_lib/read-json-object'

export const dynamic = 'force-dynamic'

/** GET → 200 NotificationSettings: when your daily summary goes out (local time in your time zone). */
export const GET = apiRoute(async ({ db, user }) => jsonResponse(ZNotificationSettings.parse(await getNotificationSettings(db, user.id))))

/** PATCH { dailySummaryAt: "HH:MM" | null } → 200 NotificationSettings; 400 naming dailySummaryAt when it is not a time. */
export const PATCH = apiRoute(async ({ req, db, user }) =>
  jsonResponse(ZNotificationSettings.parse(await updateNotificationSettings({ db, userId: user.id, input: await readJsonObject(req) }))),
)

export const { POST, PUT, DELETE } = otherMethods('GET', 'PATCH')

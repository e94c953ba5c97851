import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { jsonResponse } from '@/lib/server/http/json-response'
import { sendTestNotification } from '@/lib/server/notifications/channels'
import { ZTestNotificationResult } from '@/lib/server/openapi/notification-schemas'

export const dynamic = 'force-dynamic'

/** POST → 200 TestNotificationResult: a test message sent now; a failed send is an answer, not an error. */
export const POST = apiRoute<{ id: string }>(async ({ db, params, user }) =>
  jsonResponse(ZTestNotificationResult.parse(await sendTestNotification({ db, userId: user.id, channelId: params.id }))),
)

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

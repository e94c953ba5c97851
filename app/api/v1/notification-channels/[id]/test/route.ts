import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { sendTestNotification } from '@/lib/server/notifications/channels'
import { ZTestNotificationResult } from '@/lib/server/openapi/notification-schemas'

export const dynamic = 'force-dynamic'

type Ctx = { params: Promise<{ id: string }> }

/** POST → 200 TestNotificationResult: a test message sent now; a failed send is an answer, not an error. */
export const POST = handleRoute(async (req: Request, { params }: Ctx) => {
  const user = await requireApiUser(req)
  const { id } = await params
  return jsonResponse(ZTestNotificationResult.parse(await sendTestNotification({ db: db(), userId: user.id, channelId: id })))
})

import { db } from '@/lib/db/client'
import { requireApiUser } from '@/lib/server/auth/current-user'
import { handleRoute, jsonResponse } from '@/lib/server/http/json-response'
import { listChannels, listDeliveries } from '@/lib/server/notifications/channels'

export const dynamic = 'force-dynamic'

/** The settings panel's webhook channels and the recent delivery log. */
export const GET = handleRoute(async (req: Request) => {
  const user = await requireApiUser(req)
  const [channels, deliveries] = await Promise.all([listChannels({ db: db(), userId: user.id }), listDeliveries({ db: db(), userId: user.id, limit: 50 })])
  return jsonResponse({ channels, deliveries }, 200, { 'Cache-Control': 'no-store' })
})

import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { listChannels, listDeliveries } from '@/lib/server/notifications/channels'
import { otherMethods } from '@/lib/server/http/method-not-allowed'

export const dynamic = 'force-dynamic'

/** The settings panel's webhook channels and the recent delivery log. */
export const GET = apiRoute(async ({ db, user }) => {
  const [channels, deliveries] = await Promise.all([listChannels({ db, userId: user.id }), listDeliveries({ db, userId: user.id, limit: 50 })])
  return jsonResponse({ channels, deliveries }, 200, { 'Cache-Control': 'no-store' })
})

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

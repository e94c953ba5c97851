import { apiRoute } from '@/lib/server/http/api-route'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { webhookUrl } from '@/lib/server/signals/webhook-url'
import { rotateWebhookSecret } from '@/lib/server/signals/webhook-secret'

export const dynamic = 'force-dynamic'

/** POST → 201 { secret, hint, url, createdAt }: a new webhook secret, shown this once; the old one stops working. */
export const POST = apiRoute<{ id: string }>(async ({ req, db, params, user, actor }) => {
  const { secret, hint, createdAt } = await rotateWebhookSecret({ db, userId: user.id, traderId: params.id, actor })
  return jsonResponse({ secret, hint, url: webhookUrl(req.headers, params.id, new URL(req.url).origin), createdAt: createdAt.toISOString() }, 201, { 'Cache-Control': 'no-store' })
})

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

import { apiRoute } from '@/lib/server/http/api-route'
import { clientAddress } from '@/lib/server/http/client-address'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { receiveSignal } from '@/lib/server/signals/receive-signal'

export const dynamic = 'force-dynamic'

/**
 * POST (the alert message: application/json, or text/plain holding JSON or key=value lines) →
 * 202 { signalId, status: accepted | duplicate }; 400 naming a field, 401 bad secret, 404 unknown
 * trader, 409 an entry for a paused or halted trader, 422 unknown symbol, pyramid or stale signal.
 * Public: TradingView can neither sign nor add headers, so the secret travels in the body.
 */
export const POST = apiRoute<{ traderId: string }>(async ({ req, db, params }) => {
  const answer = await receiveSignal({
    db,
    traderId: params.traderId,
    text: await req.text(),
    contentType: req.headers.get('content-type'),
    remoteAddr: clientAddress(req.headers),
  })
  return jsonResponse(answer.body, answer.httpStatus)
}, 'public')

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

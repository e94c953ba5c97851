import { MAX_SIGNAL_BODY_CHARS } from '@/lib/domain/signals/signal-body'
import { apiRoute } from '@/lib/server/http/api-route'
import { clientAddress } from '@/lib/server/http/client-address'
import { jsonResponse } from '@/lib/server/http/json-response'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { readCappedBody } from '@/lib/server/signals/read-capped-body'
import { receiveSignal } from '@/lib/server/signals/receive-signal'
import { SIGNATURE_HEADER } from '@/lib/server/signals/webhook-secret'

export const dynamic = 'force-dynamic'

/**
 * POST (the alert message: application/json, or text/plain holding JSON or key=value lines) →
 * 202 { signalId, status: accepted | duplicate }; 400 naming a field, 401 bad secret (or
 * signature), 403 an address the trader does not take, 404 unknown trader, 409 an entry for a
 * paused or halted trader, 413 a body over 16 KiB, 422 unknown symbol, pyramid or stale signal,
 * 429 (with Retry-After, not recorded) past 30 refused 401/403 requests to the trader in a minute.
 * Public: TradingView can neither sign nor add headers, so the secret travels in the body.
 */
export const POST = apiRoute<{ traderId: string }>(async ({ req, db, params }) => {
  const text = await readCappedBody(req, MAX_SIGNAL_BODY_CHARS)
  if (text === null) return jsonResponse({ error: { code: 'VALIDATION', message: `the body is larger than ${MAX_SIGNAL_BODY_CHARS} bytes` } }, 413)
  const answer = await receiveSignal({
    db,
    traderId: params.traderId,
    text,
    contentType: req.headers.get('content-type'),
    remoteAddr: clientAddress(req.headers),
    signature: req.headers.get(SIGNATURE_HEADER),
  })
  return jsonResponse(answer.body, answer.httpStatus)
}, 'public')

export const { GET, PUT, PATCH, DELETE } = otherMethods('POST')

import { z } from 'zod'
import { SignalStatus } from '@/lib/generated/prisma/enums'
import { SIGNAL_INTENTS } from '@/lib/domain/signals/signal-intent'
import { ZListSignalsQuery, ZSignalExportQuery } from '@/lib/server/signals/list-signals'
import { doc } from './response-schemas'

/**
 * Webhook signals (TradingView alerts): the webhook itself, the secret, the settings and the
 * signal log. Response shapes go into the shared response registry; the paths are added to the
 * OpenAPI document from here.
 */
const time = () => doc(z.string(), { format: 'date-time', description: 'ISO 8601 timestamp (UTC).' })

doc(
  z.object({
    signalId: doc(z.string(), { description: 'The signal this request was recorded as; for a duplicate, the original signal.' }),
    status: doc(z.enum(['accepted', 'duplicate']), { description: 'accepted: queued for processing; duplicate: the same id (or, without one, the same fields within the duplicate window) was received before, and nothing more is done.' }),
  }),
  { id: 'SignalAccepted' },
)

doc(
  z.object({
    secret: doc(z.string(), { description: 'The new secret. Shown this once: it is stored sealed and never returned again. Put it in the alert message as `secret`.' }),
    hint: doc(z.string(), { description: 'Its last four characters, shown later to tell secrets apart.' }),
    url: doc(z.string(), { description: 'The webhook URL to give TradingView.' }),
    createdAt: time(),
  }),
  { id: 'WebhookSecret' },
)

doc(
  z.object({
    traderId: z.string(),
    settings: z.object({
      maxLagSeconds: doc(z.number().int(), { description: 'A signal older than this (from `timestamp`, else from arrival) is refused, at intake and when processed. Default 60.' }),
      maxPriceDeviationPct: doc(z.string(), { description: 'An entry whose `price` is further than this % from the quote it would take (ask for buy, bid for sell) is refused. Default 1.' }),
      duplicateWindowSeconds: doc(z.number().int(), { description: 'A signal without `id` repeating the same fields within this many seconds is a duplicate (0: never). Default 60.' }),
      defaultStopPct: doc(z.string(), { description: 'The stop of an entry whose signal names none, this % from the entry price. Default 2.' }),
      defaultSizeQuote: doc(z.string().nullable(), { description: 'The size (quote currency) of an entry whose signal names none; null: the trader\'s sizing settings.' }),
      tradingViewAddressesOnly: doc(z.boolean(), { description: 'Only requests from TradingView\'s published webhook addresses are taken (others: 403). Default false.' }),
    }),
    webhookPath: doc(z.string(), { description: 'The path to post alerts to, on this server.' }),
    secret: z.object({ set: z.boolean(), hint: z.string().nullable(), createdAt: z.string().nullable() }),
  }),
  { id: 'SignalSettings' },
)

// Decimals are taken as a string ("1.5") or a JSON number, as everywhere in the API.
const decimalIn = () => z.union([z.string(), z.number()])

// The PATCH body: any of the settings, each optional (left out: kept). The route checks each one
// with the settings' own schema and names a bad or unknown field in its 400.
doc(
  z.object({
    maxLagSeconds: doc(z.number().int().optional(), { description: '1–3600.' }),
    maxPriceDeviationPct: doc(decimalIn().optional(), { description: 'A decimal, 0.01–50.' }),
    duplicateWindowSeconds: doc(z.number().int().optional(), { description: '0–3600 (0: no window).' }),
    defaultStopPct: doc(decimalIn().optional(), { description: 'A decimal, 0.1–50.' }),
    defaultSizeQuote: doc(decimalIn().nullable().optional(), { description: "A decimal, or null for the trader's sizing settings." }),
    tradingViewAddressesOnly: z.boolean().optional(),
  }),
  { id: 'UpdateSignalSettingsRequest' },
)

const ZSignal = doc(
  z.object({
    id: z.string(),
    receivedAt: time(),
    processedAt: doc(z.string().nullable(), { description: 'When the outcome was written (rejections and duplicates: at intake).' }),
    latencyMs: doc(z.number().int().nullable(), { description: 'From arrival to the outcome.' }),
    status: doc(z.enum(SignalStatus), { description: "ACCEPTED (queued), PROCESSING, DONE, REJECTED (refused, with the reason), FAILED (the market or exchange could not be reached, or an unexpected error), DUPLICATE, WAITING (an entry the group pool had no slot for: it waits in the pool's queue, see GET /api/v1/pool)." }),
    httpStatus: doc(z.number().int(), { description: 'What the webhook answered.' }),
    reason: z.string().nullable(),
    symbol: doc(z.string().nullable(), { description: 'The trader\'s market the ticker was mapped to.' }),
    action: z.string().nullable(),
    intent: doc(z.string().nullable(), { description: `One of ${SIGNAL_INTENTS.join(', ')} (resolved when none is given: market_position flat means close, the other side of the action exit, else entry).` }),
    signalAt: doc(z.string().nullable(), { description: 'The signal\'s own `timestamp`.' }),
    idempotencyKey: z.string().nullable(),
    duplicateOfId: z.string().nullable(),
    positionId: doc(z.string().nullable(), { description: 'The position opened or closed.' }),
    attempts: z.number().int(),
    remoteAddr: z.string().nullable(),
    contentType: z.string().nullable(),
    body: doc(z.string(), { description: 'The request body as received, with the secret replaced by [redacted].' }),
    payload: doc(z.unknown(), { description: 'The parsed fields (secret left out), as text.' }),
    result: doc(z.unknown(), { description: 'What processing did: the position opened (id, side, status, quantity, average price, stop, entry order) and/or closed (id, exit quantity and price, realized PnL, exit order).' }),
  }),
  { id: 'Signal' },
)

doc(z.object({ signals: z.array(ZSignal), nextCursor: doc(z.string().nullable(), { description: 'Pass as `cursor` for the next (older) page; null on the last page.' }) }), { id: 'SignalList' })

type Json = Record<string, unknown>
type QueryParameters = (schema: z.ZodObject, descriptions: Record<string, string>) => Json[]
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` })
const err = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } })
const ok = (description: string, id: string) => ({ description, content: { 'application/json': { schema: ref(id) } } })
const idParam = { name: 'id', in: 'path', required: true, description: 'The trader id.', schema: { type: 'string' } }
const E400 = err('Invalid input; `error.fields` names each invalid field.')
const E401 = err('Missing, invalid or revoked credentials.')
const E404 = err('No such trader of yours.')

const FILTERS = {
  status: 'Only signals in this status.',
  symbol: 'Only signals for this market (e.g. BTC/USDT).',
  from: 'Only signals received at or after this time (ISO 8601 with a zone, or a date meaning 00:00 UTC).',
  to: 'Only signals received before this time.',
  q: 'Search: every word must appear in the body (secret redacted) or the reason, or be the signal, idempotency or position id; case-insensitive.',
}

const PAYLOAD = {
  type: 'object',
  description:
    'The alert message. JSON (TradingView sends application/json when the message is valid JSON, text/plain otherwise; both are read), or key=value pairs one a line or separated by `;` (keys case-insensitive). ' +
    'Values are strings as TradingView placeholders produce them; JSON numbers are accepted. Unknown fields are refused by name.',
  required: ['secret', 'symbol', 'action'],
  properties: {
    secret: { type: 'string', description: 'The trader\'s webhook secret (POST /api/v1/traders/{id}/webhook-secret).' },
    symbol: { type: 'string', description: '{{ticker}}: BTCUSDT, BINANCE:BTCUSDT (prefix dropped) or BTC/USDT; must name a market of the trader\'s watchlist, else 422.' },
    action: { type: 'string', enum: ['buy', 'sell'], description: '{{strategy.order.action}}.' },
    intent: { type: 'string', enum: [...SIGNAL_INTENTS], description: 'entry (buy → LONG, sell → SHORT); exit or close (close the open position; exit with size/contracts closes that much); reverse (close, then open the opposite side); pyramid (add a pyramid to the open position group of the symbol and timeframe, for a trader with position groups on; 422 for a trader without them). Default, from market_position: flat is close; the other side of the action (a sell leaving the strategy long) is exit, never an entry the other way; else entry, which reverses an opposite open position when market_position is the action\'s side (without position groups).' },
    id: { type: 'string', description: 'Idempotency key, per symbol, e.g. {{strategy.order.id}}-{{timenow}}: a repeat for the same symbol is answered with the original signal and does nothing.' },
    timestamp: { type: 'string', description: '{{timenow}} (ISO 8601) or seconds since the epoch; older than the trader\'s max lag → 422.' },
    price: { type: 'string', description: '{{close}}: an entry further than the max deviation from the market is refused.' },
    contracts: { type: 'string', description: '{{strategy.order.contracts}}: base quantity, used when size is not given.' },
    size: { type: 'string', description: 'Base quantity of the entry (or of a partial exit).' },
    stop_loss: { type: 'string', description: 'Stop price; default: the settings\' defaultStopPct from the entry price.' },
    take_profit: { type: 'string', description: 'Up to 4 target prices separated by commas, in equal shares.' },
    position_size: { type: 'string', description: '{{strategy.position_size}} (informational).' },
    market_position: { type: 'string', enum: ['long', 'short', 'flat'], description: '{{strategy.market_position}}, after the order: without an intent it decides what the signal does (see intent).' },
    interval: { type: 'string', description: '{{interval}}: names the position group\'s timeframe (one open group per trader, symbol and timeframe; a close without it closes every open group of the symbol); informational for a trader without groups.' },
    exchange: { type: 'string', description: '{{exchange}} (informational).' },
    comment: { type: 'string', description: 'Free text (informational), at most 200 characters.' },
  },
}

export function signalPaths(queryParameters: QueryParameters): Record<string, Json> {
  return {
    '/api/webhooks/tradingview/{traderId}': {
      parameters: [
        { name: 'traderId', in: 'path', required: true, description: 'The trader the alerts are for.', schema: { type: 'string' } },
        {
          name: 'x-signature-sha256',
          in: 'header',
          required: false,
          description: 'For senders that can sign: the hex HMAC-SHA256 of the raw body keyed with the secret (optionally prefixed sha256=). With it, the body needs no `secret`, and a bad signature is a 401 even if the body has the right secret.',
          schema: { type: 'string' },
        },
      ],
      post: {
        tags: ['signals'],
        operationId: 'receiveTradingViewSignal',
        summary: 'A TradingView alert (or any sender\'s signal) for a trader',
        description:
          'Public: authenticated by the `secret` in the body (compared in constant time), since TradingView can neither sign nor add headers. Answers within milliseconds after one short transaction; the signal is processed by the worker from a queue in PostgreSQL, ' +
          'in order per trader and symbol. Every request but one for an unknown trader is recorded in the signal log, the secret redacted. Never a 5xx for bad input, so TradingView never resends a refused alert.',
        security: [],
        requestBody: { required: true, content: { 'application/json': { schema: PAYLOAD }, 'text/plain': { schema: { type: 'string', description: 'The same fields as JSON, or key=value lines.' } } } },
        responses: {
          202: ok('Accepted, or a duplicate of an earlier signal (its id)', 'SignalAccepted'),
          400: err('A field is missing, malformed or unknown (`error.fields` names it), or the body is neither JSON nor key=value lines.'),
          401: err('Bad or missing secret, or bad signature (recorded, without the secret).'),
          403: err('Sent from an address that is not TradingView\'s while the trader takes only those (recorded).'),
          404: err('No such trader (not recorded).'),
          409: err('An entry for a paused or halted trader.'),
          413: err('The body is over 16 KiB (not recorded).'),
          422: err('Unknown symbol, a pyramid for a trader without position groups, or a stale signal.'),
          429: { ...err('More than 30 refused (401/403) requests to this trader\'s webhook within a minute: not recorded; try again after Retry-After seconds.'), headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } } },
        },
      },
    },
    '/api/v1/traders/{id}/webhook-secret': {
      parameters: [idParam],
      post: {
        tags: ['signals'],
        operationId: 'rotateWebhookSecret',
        summary: 'Generate (or rotate) the trader\'s webhook secret, returned this once',
        description: 'The previous secret stops working at once. No other endpoint ever returns the secret: the settings show only its hint.',
        responses: { 201: ok('The new secret and the webhook URL', 'WebhookSecret'), 401: E401, 404: E404 },
      },
    },
    '/api/v1/traders/{id}/signal-settings': {
      parameters: [idParam],
      get: {
        tags: ['signals'],
        operationId: 'getSignalSettings',
        summary: 'How the trader takes webhook signals, and whether a secret is set',
        responses: { 200: ok('The settings', 'SignalSettings'), 401: E401, 404: E404 },
      },
      patch: {
        tags: ['signals'],
        operationId: 'updateSignalSettings',
        summary: 'Change the signal settings (fields left out keep their values)',
        requestBody: { required: true, content: { 'application/json': { schema: ref('UpdateSignalSettingsRequest') } } },
        responses: { 200: ok('The settings', 'SignalSettings'), 400: E400, 401: E401, 404: E404 },
      },
    },
    '/api/v1/traders/{id}/signals': {
      parameters: [idParam],
      get: {
        tags: ['signals'],
        operationId: 'listSignals',
        summary: 'The trader\'s signal log, newest first',
        description: 'Every request to the trader\'s webhook (secret redacted) with its status, reason, result and latency. Keyset-paged: pass nextCursor as cursor.',
        parameters: queryParameters(ZListSignalsQuery, { ...FILTERS, limit: 'At most this many signals.', cursor: 'The previous page\'s nextCursor.' }),
        responses: { 200: ok('Signals', 'SignalList'), 400: E400, 401: E401, 404: E404 },
      },
    },
    '/api/v1/traders/{id}/signals.csv': {
      parameters: [idParam],
      get: {
        tags: ['signals'],
        operationId: 'exportSignals',
        summary: 'The trader\'s signal log matching the filters, as CSV',
        parameters: queryParameters(ZSignalExportQuery, FILTERS),
        responses: {
          200: {
            description: 'Columns: received_at, signal_id, status, http_status, reason, symbol, action, intent, fired_at, idempotency_key, duplicate_of, position_id, processed_at, latency_ms, attempts, remote_addr, result, body; newest first. A text cell starting with =, +, - or @ is prefixed with a single quote.',
            content: { 'text/csv': { schema: { type: 'string' } } },
          },
          400: E400,
          401: E401,
          404: E404,
        },
      },
    },
  }
}

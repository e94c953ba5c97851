import { z } from 'zod'
import { ZExportDecisionsQuery } from '@/lib/server/exports/export-decisions'
import { ZTradeExportQuery } from '@/lib/server/exports/export-queries'
import { LOG_KINDS, LOG_LEVELS, ZListLogsQuery, ZLogExportQuery } from '@/lib/server/logs/log-filter'
import { doc } from './response-schemas'

/**
 * The logs viewer and the CSV exports: response shapes in the shared response registry, and the
 * paths of the OpenAPI document.
 */
export const ZLogEntry = doc(
  z.object({
    id: doc(z.string(), { description: '`<kind>:<id of the source row>`, unique across the log.' }),
    kind: doc(z.enum(LOG_KINDS), {
      description: 'activity: account events of the feed; audit: a position\'s audit trail (its events are shown once, here, not also as activity); risk: a risk-limit refusal or breaker trip; delivery: an outgoing notification; signal: a request to a trader\'s webhook (see the signal log).',
    }),
    level: doc(z.enum(LOG_LEVELS), {
      description: 'activity: the event\'s severity; audit: error for a transition into FAILED or REJECTED, else info; risk: error when a breaker tripped, else warning; delivery: error when FAILED, warning when RETRYING, else info; signal: error when FAILED, warning when REJECTED, else info.',
    }),
    type: doc(z.string(), { description: 'activity/audit: the event type (e.g. STATUS_CHANGED, APPROVAL_NEEDED); risk: the limit; delivery: the delivery status; signal: the signal\'s status (DONE, REJECTED, …).' }),
    message: z.string(),
    detail: doc(z.string().nullable(), { description: 'audit: actor, status change and trigger; risk: current and allowed values and source; delivery: attempts and last error.' }),
    traderId: z.string().nullable(),
    traderName: z.string().nullable(),
    symbol: z.string().nullable(),
    positionId: z.string().nullable(),
    at: doc(z.string(), { format: 'date-time', description: 'ISO 8601 timestamp (UTC).' }),
  }),
  { id: 'LogEntry' },
)

export const ZLogList = doc(
  z.object({
    logs: z.array(ZLogEntry),
    nextCursor: doc(z.string().nullable(), { description: 'Pass as `cursor` for the next (older) page; null on the last page.' }),
  }),
  { id: 'LogList' },
)

type Json = Record<string, unknown>
type QueryParameters = (schema: z.ZodObject, descriptions: Record<string, string>) => Json[]

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` })
const err = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } })
const E400 = err('Invalid input; `error.fields` names each invalid field.')
const E401 = err('Missing, invalid or revoked credentials.')
const csv = (description: string) => ({
  description: `${description} A header row, then one line per row (RFC 4180, UTF-8), streamed. Decimals are exact, times ISO 8601 UTC; a text cell starting with =, +, - or @ is prefixed with a single quote so a spreadsheet never runs it as a formula.`,
  headers: { 'Content-Disposition': { description: 'attachment; filename="tradeloop-<what>-<time>.csv"', schema: { type: 'string' } } },
  content: { 'text/csv': { schema: { type: 'string' } } },
})

const LOG_FILTERS = {
  kind: 'Only lines of this kind.',
  level: 'Only lines of this level or more severe (warning: warnings and errors).',
  type: 'Only lines of this type (see LogEntry.type).',
  traderId: 'Only lines about this trader.',
  symbol: 'Only lines about this symbol (e.g. BTC/USDT).',
  from: 'Only lines at or after this time (ISO 8601 with a zone, or a date meaning 00:00 UTC).',
  to: 'Only lines before this time.',
  q: 'Search: every word must appear in the message (for a delivery, the message of the event it sent); case-insensitive, at most 8 words.',
}
const TRADE_FILTERS = {
  positionId: 'Only this position\'s rows (404 if it is not yours).',
  traderId: 'Only this trader\'s rows.',
  symbol: 'Only this symbol (e.g. BTC/USDT).',
  from: 'Only rows at or after this time (ISO 8601 with a zone, or a date meaning 00:00 UTC).',
  to: 'Only rows before this time.',
}

export function logPaths(queryParameters: QueryParameters): Record<string, Json> {
  return {
    '/api/v1/logs': {
      get: {
        tags: ['logs'],
        operationId: 'listLogs',
        summary: 'Your log: activity, audit trail, risk events and notification deliveries, newest first',
        description:
          'Keyset-paged: pass nextCursor as cursor for older lines (a cursor that was not handed out is a 400). Live updates arrive on the SSE stream /api/stream ' +
          '(`activity` and `position` events); reload the first page when one comes.',
        parameters: queryParameters(ZListLogsQuery, { ...LOG_FILTERS, limit: 'At most this many lines.', cursor: 'The previous page\'s nextCursor.' }),
        responses: { 200: { description: 'Log lines', content: { 'application/json': { schema: ref('LogList') } } }, 400: E400, 401: E401 },
      },
    },
    '/api/v1/logs.csv': {
      get: {
        tags: ['logs'],
        operationId: 'exportLogs',
        summary: 'Every log line matching the filters, as CSV',
        parameters: queryParameters(ZLogExportQuery, LOG_FILTERS),
        responses: { 200: csv('Columns: time, kind, level, type, trader, symbol, message, detail, position_id, id; newest first.'), 400: E400, 401: E401 },
      },
    },
    '/api/v1/fills.csv': {
      get: {
        tags: ['orders'],
        operationId: 'exportFills',
        summary: 'Fills of your accounts, as CSV',
        parameters: queryParameters(ZTradeExportQuery, TRADE_FILTERS),
        responses: {
          200: csv('Columns: time, fill_id, exchange_fill_id, order_id, client_order_id, position_id, trader, symbol, side, qty, price, fee, fee_asset, liquidity, order_purpose, order_type; newest first.'),
          400: E400,
          401: E401,
          404: err('No such position of yours (positionId).'),
        },
      },
    },
    '/api/v1/orders.csv': {
      get: {
        tags: ['orders'],
        operationId: 'exportOrders',
        summary: 'Orders of your accounts, as CSV',
        parameters: queryParameters(ZTradeExportQuery, TRADE_FILTERS),
        responses: {
          200: csv(
            'Columns: created_at, order_id, client_order_id, exchange_order_id, position_id, trader, symbol, side, type, purpose, status, qty, price, trigger_price, filled_qty, avg_fill_price, reduce_only, reject_reason, created_by, submitted_at, updated_at; newest first.',
          ),
          400: E400,
          401: E401,
          404: err('No such position of yours (positionId).'),
        },
      },
    },
    '/api/v1/decisions.csv': {
      get: {
        tags: ['decisions'],
        operationId: 'exportDecisions',
        summary: 'The decision journal with the journal\'s filters, as CSV',
        parameters: queryParameters(ZExportDecisionsQuery, {
          traderId: 'Only this trader\'s decisions.',
          positionId: 'Only decisions about this position.',
          symbol: 'Only this symbol (e.g. BTC/USDT).',
          action: 'Only this decision; INVALID: output that could not be read (no action).',
          outcome: 'Only this outcome.',
        }),
        responses: {
          200: csv(
            'Columns: created_at, decision_id, trader, symbol, position_id, cycle_id, trigger, provider, model, prompt_version, action, confidence, outcome, valid, validation_errors, validation_warnings, reasoning, error, latency_ms, model_latency_ms, prompt_tokens, completion_tokens, cost_usd; newest first.',
          ),
          400: E400,
          401: E401,
        },
      },
    },
  }
}

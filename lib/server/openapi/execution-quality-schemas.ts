import { z } from 'zod'
import { ZExecutionQualityQuery } from '@/lib/server/execution/execution-quality-query'
import { ACCOUNT_MODES } from '@/lib/server/performance/performance-query'
import { ZFigure } from './performance-schemas'
import { doc } from './response-schemas'

/** Execution quality: its response shape in the shared response registry, and its paths (with /api/metrics). */
const figure = (description: string) => doc(ZFigure.extend({}), { description })
const ms = (description: string) => doc(z.number().int().nullable(), { description: `${description} Whole milliseconds; null when no order has it.` })

const ZExecutionFigures = doc(
  z.object({
    orders: doc(z.number().int(), { description: 'Orders created in the period.' }),
    filled: doc(z.number().int(), { description: 'Orders with at least one fill.' }),
    rejected: doc(z.number().int(), { description: 'Orders refused (by the exchange, or not sent) with nothing filled.' }),
    lost: doc(z.number().int(), { description: 'Orders reconciliation gave up on: the exchange never knew them.' }),
    measured: doc(z.number().int(), { description: 'Filled orders with an expected price: those slippage is measured on.' }),
    slippageP50Bps: figure('Median slippage in basis points of the average fill price against the expected price; positive = worse for us (bought higher, sold lower). 2 places.'),
    slippageP95Bps: figure('95th percentile (nearest rank) of the same, 2 places.'),
    slippageAvgBps: figure('Average of the same, weighted by each order\'s filled notional, 2 places.'),
    decisionToOrderP50Ms: ms('Median time from the decision behind an automated entry (including any approval wait) to its order.'),
    decisionToOrderP95Ms: ms('95th percentile of the same.'),
    orderToFillP50Ms: ms('Median time from an order being created to its first fill (a resting stop or limit waits for the market).'),
    orderToFillP95Ms: ms('95th percentile of the same.'),
    successRatePct: figure('filled / (filled + rejected + lost) × 100, 2 places; canceled or working orders count as neither.'),
    errorRatePct: figure('(rejected + lost) / orders × 100, 2 places. Exchange errors only: null in mode PAPER, whose refusals come from the paper engine.'),
  }),
  { id: 'ExecutionFigures' },
)

export const ZExecutionQuality = doc(
  z.object({
    scope: z.object({
      mode: doc(z.enum(ACCOUNT_MODES), { description: 'The one account mode every figure comes from; never mixed.' }),
      from: doc(z.string().nullable(), { format: 'date-time' }),
      to: doc(z.string().nullable(), { format: 'date-time' }),
    }),
    all: ZExecutionFigures,
    byPurpose: doc(z.array(ZExecutionFigures.extend({ purpose: z.enum(['ENTRY', 'MANUAL_EXIT', 'STOP_LOSS', 'TAKE_PROFIT']) })), {
      description: 'The same figures per kind of order that has any in the period: entries, exits at market, stops, take-profits.',
    }),
  }),
  { id: 'ExecutionQuality', description: 'How well orders executed: slippage, latencies, success and error rates.' },
)

type Json = Record<string, unknown>
type QueryParameters = (schema: z.ZodObject, descriptions: Record<string, string>) => Json[]
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` })
const err = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } })

export function executionQualityPaths(queryParameters: QueryParameters): Record<string, Json> {
  return {
    '/api/v1/execution-quality': {
      get: {
        tags: ['performance'],
        operationId: 'getExecutionQuality',
        summary: 'Execution quality of your orders: slippage, decision→order and order→fill times, success and error rates',
        description: 'Orders created in the period, in one account mode. A traderId that is not yours matches nothing.',
        parameters: queryParameters(ZExecutionQualityQuery, {
          traderId: 'Only this trader\'s orders.',
          symbol: 'Only orders in this symbol (e.g. BTC/USDT).',
          from: 'Only orders created at or after this time (ISO 8601 with a zone, or a date meaning 00:00 UTC).',
          to: 'Only orders created before this time.',
          mode: 'PAPER (default), TESTNET or LIVE: one at a time, never added up.',
        }),
        responses: {
          200: { description: 'Execution quality', content: { 'application/json': { schema: ref('ExecutionQuality') } } },
          400: err('Invalid input; `error.fields` names each invalid field.'),
          401: err('Missing, invalid or revoked credentials.'),
        },
      },
    },
    '/api/metrics': {
      get: {
        tags: ['system'],
        operationId: 'getMetrics',
        summary: 'Execution and process metrics in the Prometheus text format, for scrapers',
        description:
          'Off (404) unless the server has METRICS_TOKEN; a scraper sends it as `Authorization: Bearer <METRICS_TOKEN>` (API tokens and sessions are not accepted). ' +
          'Computed from the database on each scrape: tradeloop_orders{mode,venue,purpose,status}, tradeloop_order_errors{mode,venue,kind}, tradeloop_orders_stuck{mode,venue}, ' +
          'and over orders created in the last 24 h tradeloop_slippage_bps{mode,quantile}, tradeloop_slippage_orders{mode}, tradeloop_order_to_fill_ms{mode,quantile}, ' +
          'tradeloop_decision_to_order_ms{mode,quantile}, tradeloop_order_success_ratio{mode}, tradeloop_order_error_ratio{mode}; plus the Node process metrics. No label names a user, trader, account or symbol.',
        security: [],
        responses: {
          200: { description: 'Prometheus text exposition 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } },
          401: err('No bearer token, or not METRICS_TOKEN.'),
          404: err('METRICS_TOKEN is not set: metrics are off.'),
        },
      },
    },
  }
}

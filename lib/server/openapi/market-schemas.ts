import { z } from 'zod'
import { TIMEFRAMES } from '@/lib/domain/market/candle'
import { ZCandlesQuery } from '@/lib/server/markets/candles-query'
import { doc } from './response-schemas'

/**
 * Market data: candles of a market. The response shape goes into the shared response registry;
 * the path is added to the OpenAPI document from here.
 */
const decimal = () => doc(z.string().regex(/^-?\d+(\.\d+)?$/), { description: 'An exact decimal as a string, e.g. "60010.5".', examples: ['60010.5'] })

export const ZCandle = doc(
  z.object({
    openTime: doc(z.number().int(), { description: 'Start of the bar, milliseconds since the epoch (UTC).' }),
    open: decimal(),
    high: decimal(),
    low: decimal(),
    close: decimal(),
    volume: doc(z.string().regex(/^-?\d+(\.\d+)?$/), { description: 'Traded volume in the base currency.' }),
  }),
  { id: 'Candle' },
)

export const ZCandleList = doc(
  z.object({
    symbol: doc(z.string(), { description: 'The unified symbol, e.g. BTC/USDT.' }),
    timeframe: z.enum(TIMEFRAMES),
    source: doc(z.string(), { description: 'The market-data source, e.g. "Binance (api.binance.com)".' }),
    candles: doc(z.array(ZCandle), { description: 'Oldest first; the last bar may still be forming.' }),
  }),
  { id: 'CandleList' },
)

type Json = Record<string, unknown>
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` })
const json = (schema: Json) => ({ 'application/json': { schema } })
const err = (description: string) => ({ description, content: json(ref('Error')) })
const retryAfter = { 'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } } }

export function marketPaths(queryParameters: (schema: z.ZodObject, descriptions: Record<string, string>) => unknown[]): Record<string, Json> {
  return {
    '/api/v1/markets/{symbol}/candles': {
      parameters: [
        {
          name: 'symbol',
          in: 'path',
          required: true,
          description: 'The market with a dash instead of the slash: BTC-USDT for BTC/USDT (an encoded slash is not accepted in a path).',
          schema: { type: 'string', pattern: '^[A-Za-z0-9]{1,20}-[A-Za-z0-9]{1,20}$', examples: ['BTC-USDT'] },
        },
      ],
      get: {
        tags: ['market data'],
        operationId: 'listCandles',
        summary: 'Recent candles (OHLCV) of a market from the market-data source',
        description:
          'From the exchange the market-data settings name (the same source the worker trades on). Answers are cached for 10 s per symbol, timeframe and limit, ' +
          'so many viewers cost one exchange request. Live prices arrive on the SSE stream /api/stream as `quote` events; the last bar can be updated from them.',
        parameters: queryParameters(ZCandlesQuery, { timeframe: 'Bar length.', limit: 'At most this many bars, newest last.' }),
        responses: {
          200: { description: 'Candles', content: json(ref('CandleList')) },
          400: err('Invalid symbol, timeframe or limit; `error.fields` names each.'),
          401: err('Missing, invalid or revoked credentials.'),
          404: err('The source has no such market (or the path segment is not BASE-QUOTE letters and digits).'),
          409: err('The market-data source is simulated: its prices live in the worker, and there are no candles to serve.'),
          503: { ...err('The market-data source cannot answer now (unreachable, timing out, rate limited or failing).'), headers: retryAfter },
        },
      },
    },
  }
}

import { z } from 'zod'
import { TIMEFRAMES } from '@/lib/domain/market/candle'
import { ZCandlesQuery } from '@/lib/server/markets/candles-query'
import { doc } from './response-schemas'

/**
 * Market data: the last price and the candles of a market. The response shapes go into the shared
 * response registry; the paths are added to the OpenAPI document from here.
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

export const ZMarketQuote = doc(
  z.object({
    symbol: doc(z.string(), { description: 'The unified symbol, e.g. BTC/USDT.' }),
    bid: decimal(),
    ask: decimal(),
    last: decimal(),
    source: doc(z.string(), { description: 'The market-data source the worker took it from.' }),
    exchangeTs: doc(z.string(), { description: "The exchange's time of the price (ISO 8601, UTC)." }),
    receivedAt: doc(z.string(), { description: 'When the worker received it (ISO 8601, UTC); its age is counted from here.' }),
    ageMs: doc(z.number().int().nonnegative(), { description: 'Milliseconds since receivedAt, when the answer was made.' }),
    staleAfterMs: doc(z.number().int(), { description: 'MARKET_STALE_AFTER_MS: an older price is not traded on.' }),
    stale: doc(z.boolean(), { description: 'true when ageMs > staleAfterMs: an open now would be refused until a fresh price arrives.' }),
  }),
  { id: 'MarketQuote' },
)

type Json = Record<string, unknown>
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` })
const json = (schema: Json) => ({ 'application/json': { schema } })
const err = (description: string) => ({ description, content: json(ref('Error')) })
const retryAfter = { 'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } } }

const symbolParameter = {
  name: 'symbol',
  in: 'path',
  required: true,
  description: 'The market with a dash instead of the slash: BTC-USDT for BTC/USDT (an encoded slash is not accepted in a path).',
  schema: { type: 'string', pattern: '^[A-Za-z0-9]{1,20}-[A-Za-z0-9]{1,20}$', examples: ['BTC-USDT'] },
}

export function marketPaths(queryParameters: (schema: z.ZodObject, descriptions: Record<string, string>) => unknown[]): Record<string, Json> {
  return {
    '/api/v1/markets/{symbol}/quote': {
      parameters: [symbolParameter],
      get: {
        tags: ['market data'],
        operationId: 'getQuote',
        summary: 'The last price of a market, as orders are judged on it',
        description:
          'The bid, ask and last price the worker stored last: the price an open, a close or a stop is checked against, from any market-data source (simulated included). ' +
          '`stale` says whether an open now would be refused for an old price. For a stream of prices, use the SSE stream /api/stream (`quote` events).',
        responses: {
          200: { description: 'The last stored price', content: json(ref('MarketQuote')) },
          400: err('The symbol is not BASE-QUOTE; `error.fields` names it.'),
          401: err('Missing, invalid or revoked credentials.'),
          404: err('No price for this market: the worker prices the symbols on traders\' watchlists and those of open positions.'),
        },
      },
    },
    '/api/v1/markets/{symbol}/candles': {
      parameters: [symbolParameter],
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

import { z } from 'zod'
import { TIMEFRAMES } from '@/lib/domain/market/candle'
import { MAX_CANDLES } from '@/lib/market-data/candle-limits'

/** The query of GET /api/v1/markets/{symbol}/candles. */
export const ZCandlesQuery = z.object({
  timeframe: z.enum(TIMEFRAMES, { error: `must be one of ${TIMEFRAMES.join(', ')}` }).default('1h'),
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_CANDLES, `must be at most ${MAX_CANDLES}`)
    .default(200),
})

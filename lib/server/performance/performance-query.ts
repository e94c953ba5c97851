import { z } from 'zod'
import { TRADE_SOURCES } from '@/lib/domain/performance/trade-source'
import { ZIdField } from '@/lib/server/validation/id-field'
import { textField } from '@/lib/server/validation/text-field'

export const ACCOUNT_MODES = ['PAPER', 'TESTNET', 'LIVE'] as const
export type AccountMode = (typeof ACCOUNT_MODES)[number]

// A time with its zone (Z or ±hh:mm), or a bare date meaning 00:00 UTC: a time without a zone
// would mean something different in every browser and server.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/

const ZTime = textField({ max: 40 })
  .regex(ISO_TIME, 'must be an ISO 8601 time with a zone, e.g. 2025-01-31T00:00:00Z, or a date (2025-01-31, midnight UTC)')
  .transform((v, ctx) => {
    const ms = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v)
    const year = Number.isNaN(ms) ? NaN : new Date(ms).getUTCFullYear()
    if (!(year >= 1970 && year <= 9999)) {
      ctx.addIssue({ code: 'custom', message: 'is not a valid time between 1970 and 9999' })
      return z.NEVER
    }
    return new Date(ms)
  })

/**
 * GET /api/v1/performance and /api/v1/performance/trades.csv. A trade belongs to the period by
 * when it closed: `from` inclusive, `to` exclusive. Paper, testnet and live are never mixed:
 * `mode` picks one (PAPER unless given).
 */
export const ZPerformanceQuery = z
  .object({
    traderId: ZIdField.optional(),
    symbol: textField({ max: 40 })
      .toUpperCase()
      .regex(/^[A-Z0-9]+\/[A-Z0-9]+$/, 'must look like BTC/USDT')
      .optional(),
    source: z.enum(TRADE_SOURCES, { error: `must be one of ${TRADE_SOURCES.join(', ')}` }).optional(),
    from: ZTime.optional(),
    to: ZTime.optional(),
    mode: z.enum(ACCOUNT_MODES, { error: `must be one of ${ACCOUNT_MODES.join(', ')}` }).default('PAPER'),
    currency: textField({ max: 10 })
      .toUpperCase()
      .regex(/^[A-Z0-9]{2,10}$/, 'must be a currency code such as USDT')
      .optional(),
  })
  .superRefine((v, ctx) => {
    if (v.from && v.to && v.from >= v.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from' })
  })
export type PerformanceQuery = z.output<typeof ZPerformanceQuery>

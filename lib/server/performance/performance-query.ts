import { z } from 'zod'
import { TRADE_SOURCES } from '@/lib/domain/performance/trade-source'
import { ZIdField } from '@/lib/server/validation/id-field'
import { ZSymbolField } from '@/lib/server/validation/symbol-field'
import { textField } from '@/lib/server/validation/text-field'
import { ZTimeField } from '@/lib/server/validation/time-field'

export const ACCOUNT_MODES = ['PAPER', 'TESTNET', 'LIVE'] as const
export type AccountMode = (typeof ACCOUNT_MODES)[number]

/**
 * GET /api/v1/performance and /api/v1/performance/trades.csv. A trade belongs to the period by
 * when it closed: `from` inclusive, `to` exclusive. Paper, testnet and live are never mixed:
 * `mode` picks one (PAPER unless given).
 */
export const ZPerformanceQuery = z
  .object({
    traderId: ZIdField.optional(),
    symbol: ZSymbolField.optional(),
    source: z.enum(TRADE_SOURCES, { error: `must be one of ${TRADE_SOURCES.join(', ')}` }).optional(),
    from: ZTimeField.optional(),
    to: ZTimeField.optional(),
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

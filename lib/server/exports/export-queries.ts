import { z } from 'zod'
import { ZIdField } from '@/lib/server/validation/id-field'
import { ZSymbolField } from '@/lib/server/validation/symbol-field'
import { ZTimeField } from '@/lib/server/validation/time-field'

/**
 * GET /api/v1/fills.csv and /api/v1/orders.csv: the orders list's filter (positionId) and the
 * logs page's trader, symbol and time range. `from` is inclusive, `to` exclusive.
 */
export const ZTradeExportQuery = z
  .object({
    positionId: ZIdField.optional(),
    traderId: ZIdField.optional(),
    symbol: ZSymbolField.optional(),
    from: ZTimeField.optional(),
    to: ZTimeField.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.from && v.to && v.from >= v.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from' })
  })
export type TradeExportFilter = z.output<typeof ZTradeExportQuery>

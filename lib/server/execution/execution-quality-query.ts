import { z } from 'zod'
import { ACCOUNT_MODES } from '@/lib/server/performance/performance-query'
import { ZIdField } from '@/lib/server/validation/id-field'
import { ZSymbolField } from '@/lib/server/validation/symbol-field'
import { ZTimeField } from '@/lib/server/validation/time-field'

/**
 * GET /api/v1/execution-quality. An order belongs to the period by when it was created: `from`
 * inclusive, `to` exclusive. Paper, testnet and live are never mixed: `mode` picks one (PAPER
 * unless given).
 */
export const ZExecutionQualityQuery = z
  .object({
    traderId: ZIdField.optional(),
    symbol: ZSymbolField.optional(),
    from: ZTimeField.optional(),
    to: ZTimeField.optional(),
    mode: z.enum(ACCOUNT_MODES, { error: `must be one of ${ACCOUNT_MODES.join(', ')}` }).default('PAPER'),
  })
  .superRefine((v, ctx) => {
    if (v.from && v.to && v.from >= v.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from' })
  })
export type ExecutionQualityQuery = z.output<typeof ZExecutionQualityQuery>

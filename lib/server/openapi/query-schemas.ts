import { z } from 'zod'
import { ZIdField } from '@/lib/server/validation/id-field'

/** GET /api/v1/positions */
export const ZListPositionsQuery = z.object({
  state: z.enum(['active', 'closed'], { error: 'must be active or closed' }).default('active'),
  traderId: ZIdField.optional(),
})

/** GET /api/v1/orders */
export const ZListOrdersQuery = z.object({
  positionId: ZIdField.optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(500, 'must be at most 500').default(200),
})

import { z } from 'zod'

/** GET /api/v1/positions */
export const ZListPositionsQuery = z.object({
  state: z.enum(['active', 'closed'], { error: 'must be active or closed' }).default('active'),
  traderId: z.string().min(1).optional(),
})

/** GET /api/v1/orders */
export const ZListOrdersQuery = z.object({
  positionId: z.string().min(1).optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(500, 'must be at most 500').default(200),
})

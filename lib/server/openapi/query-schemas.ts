import { z } from 'zod'
import { ZIdField } from '@/lib/server/validation/id-field'

/** GET /api/v1/positions */
export const ZListPositionsQuery = z.object({
  state: z.enum(['active', 'closed'], { error: 'must be active or closed' }).default('active'),
  traderId: ZIdField.optional(),
})

/** GET /api/v1/traders/{id}/groups */
export const ZListGroupsQuery = z.strictObject({
  state: z.enum(['active', 'closed']).default('active'),
  limit: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(200, 'at most 200').default(50),
})

/** GET /api/v1/orders */
export const ZListOrdersQuery = z.object({
  positionId: ZIdField.optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(500, 'must be at most 500').default(200),
})

import { z } from 'zod'
import { ZIdField } from '@/lib/server/validation/id-field'

const ZLimit = (max: number, dflt: number) =>
  z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`).default(dflt)

/** GET /api/v1/notification-deliveries */
export const ZListDeliveriesQuery = z.object({
  channelId: ZIdField.optional(),
  limit: ZLimit(200, 50),
})

/** GET /api/v1/notifications: newest first; `before` is the id of the last event already shown. */
export const ZListNotificationsQuery = z.object({
  before: z.string().regex(/^\d{1,18}$/, 'must be an event id').optional(),
  limit: ZLimit(100, 30),
})

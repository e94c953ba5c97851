import { z } from 'zod'
import { textField } from './text-field'

// A time with its zone (Z or ±hh:mm), or a bare date meaning 00:00 UTC. A time without a zone
// would mean something different in every browser and server, so it is refused.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/

/** A point in time given in a query string (`from`, `to`): ISO 8601, read as a Date. */
export const ZTimeField = textField({ max: 40 })
  .regex(ISO_TIME, 'must be an ISO 8601 time with a zone, e.g. 2025-01-31T00:00:00Z, or a date (2025-01-31, midnight UTC)')
  .transform((v, ctx) => {
    const at = new Date(v.length === 10 ? `${v}T00:00:00Z` : v)
    const year = at.getUTCFullYear()
    // Years PostgreSQL and every spreadsheet read the same way.
    if (Number.isNaN(at.getTime()) || year < 1970 || year > 9999) {
      ctx.addIssue({ code: 'custom', message: 'is not a valid time between 1970 and 9999' })
      return z.NEVER
    }
    return at
  })

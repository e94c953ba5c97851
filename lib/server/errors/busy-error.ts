import { AppError } from '@/lib/server/errors/app-error'
import { errorLayers } from './error-layers'

// Failures that mean "the database is saturated or contended right now", not "this request is
// wrong": Prisma's transaction manager (P2028: could not start a transaction in time, or it
// expired while waiting), pool timeouts (P2024), write conflicts (P2034), and PostgreSQL's own
// too-many-connections, lock-timeout, serialization, deadlock and statement-timeout codes.
const BUSY_CODES = new Set(['P2028', 'P2024', 'P2034', '53300', '55P03', '40001', '40P01', '57014'])

function carriesBusyCode(err: unknown): boolean {
  for (const e of errorLayers(err, { anyCause: true })) {
    for (const key of ['code', 'originalCode']) {
      if (typeof e[key] === 'string' && BUSY_CODES.has(e[key] as string)) return true
    }
  }
  return false
}

/**
 * A 503 with Retry-After for an error that says the system is busy, else null. Retrying such a
 * request is safe: the transaction that failed was rolled back, so nothing was written.
 */
export function busyError(err: unknown): AppError | null {
  if (!carriesBusyCode(err)) return null
  return new AppError('BUSY', 'the server is busy; try again in a moment', undefined, undefined, 1)
}

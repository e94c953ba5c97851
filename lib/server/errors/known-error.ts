import { UnknownTimeZoneError } from '@/lib/domain/risk/trading-day'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import { AppError, conflict, isAppError } from './app-error'
import { busyError } from './busy-error'
import { databaseUnavailableError } from './database-unavailable'

/**
 * An exchange's answer as HTTP: refused → 422 with its reason; not executed but worth retrying
 * (back-off, no connection) → 503 with Retry-After; outcome unknown → 502, which must not be
 * retried blindly: the order is being looked up by its client order id.
 */
export function exchangeAppError(err: unknown): AppError | null {
  if (!(err instanceof ExchangeError)) return null
  if (err.kind === 'rejected') return exchangeRefused(err.message)
  if (err.kind === 'retryable') {
    return new AppError('EXCHANGE_UNAVAILABLE', `the exchange could not be reached (nothing was sent): ${err.message}`, undefined, undefined, Math.ceil((err.retryAfterMs ?? 5000) / 1000))
  }
  return new AppError('EXCHANGE_UNCERTAIN', `the exchange did not confirm (${err.message}); the order is being looked up by its client order id — check it before trying again`)
}

/** The exchange refused an order for good: 422 with its reason (also the replay of a refusal recorded earlier). */
export function exchangeRefused(reason: string | null): AppError {
  return new AppError('EXCHANGE_REJECTED', `the exchange refused: ${reason ?? 'no reason given'}`)
}

/**
 * The user's stored time zone is one this runtime no longer knows (see UnknownTimeZoneError):
 * 409 until they set it again. Daily limits, breakers and the performance days all count in
 * it, so nothing that needs it goes ahead in another zone.
 */
function unknownTimeZoneAppError(err: unknown): AppError | null {
  if (!(err instanceof UnknownTimeZoneError)) return null
  return conflict(err.message)
}

/**
 * Any failure with a clear answer for the caller (AppError, a busy or unreachable database, an
 * exchange, a lost time zone), else null.
 */
export function knownError(err: unknown): AppError | null {
  if (isAppError(err)) return err
  return busyError(err) ?? databaseUnavailableError(err) ?? exchangeAppError(err) ?? unknownTimeZoneAppError(err)
}

import { ExchangeError } from '@/lib/exchange/exchange-error'
import { AppError, isAppError } from './app-error'
import { busyError } from './busy-error'

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

/** Any failure with a clear answer for the caller (AppError, a busy database, an exchange), else null. */
export function knownError(err: unknown): AppError | null {
  if (isAppError(err)) return err
  return busyError(err) ?? exchangeAppError(err)
}

import ccxt from 'ccxt'
import { ExchangeError } from '@/lib/exchange/exchange-error'

/**
 * What a ccxt failure means. The order of the checks matters: ccxt's hierarchy nests
 * OrderNotFound under InvalidOrder, and RequestTimeout, ExchangeNotAvailable, InvalidNonce,
 * RateLimitExceeded and DDoSProtection under NetworkError under OperationFailed.
 */
export type CcxtOutcome =
  /** The exchange did not act on the request: rate limited (429/418, -1003, -1015) or clock skew (-1021). */
  | 'retryable'
  /** Refused for good: invalid order, insufficient funds, bad symbol, bad key or signature, ... */
  | 'rejected'
  /** -2013/-2011: the exchange has no such order. */
  | 'not-found'
  /**
   * No answer that proves anything: timeout (incl. -1007 "execution status unknown"), dropped
   * connection, 5xx or an unparseable page, -1000/-1001 internal errors. For a request that
   * creates an order this means it may have been executed.
   */
  | 'unknown'

export function classifyCcxtError(error: unknown): CcxtOutcome {
  if (error instanceof ccxt.OrderNotFound) return 'not-found'
  if (error instanceof ccxt.RateLimitExceeded || error instanceof ccxt.DDoSProtection) return 'retryable'
  if (error instanceof ccxt.InvalidNonce) return 'retryable'
  if (error instanceof ccxt.OperationFailed) return 'unknown' // NetworkError, RequestTimeout, ExchangeNotAvailable, BadResponse
  if (error instanceof ccxt.BaseError) return 'rejected' // ExchangeError and all its refusals
  // Not from ccxt at all (a bug, an undici error escaping): nothing proves the order was not sent.
  return 'unknown'
}

/**
 * The one place a ccxt error becomes an ExchangeError. `mayHaveExecuted` is true for calls that
 * create orders: there an unknown outcome must not be retried by re-sending (Binance accepts a
 * client order id again once the first order is closed, so a blind resend can fill twice). For
 * reads and cancels the same failures are simply retryable.
 */
export function translateCcxtError(error: unknown, what: string, opts: { mayHaveExecuted: boolean; retryAfterMs?: number }): ExchangeError {
  if (error instanceof ExchangeError) return error
  const message = withoutSignature(`${what}: ${error instanceof Error ? error.message : String(error)}`)
  const outcome = classifyCcxtError(error)
  switch (outcome) {
    case 'retryable':
      return new ExchangeError(message, true, { kind: 'retryable', retryAfterMs: opts.retryAfterMs, cause: error })
    case 'unknown':
      return opts.mayHaveExecuted
        ? ExchangeError.unknown(`${message} (execution status unknown: look the order up by client order id, do not re-send it)`, error)
        : new ExchangeError(message, true, { kind: 'retryable', cause: error })
    case 'not-found':
    case 'rejected':
      return new ExchangeError(message, false, { kind: 'rejected', cause: error })
  }
}

/**
 * ccxt quotes a failed request's URL in its message, a signed one with its signature. Accounts,
 * logs and the UI show these messages: the signature (a credential for that request until its
 * recvWindow passes) is masked, the rest of the URL kept for diagnosis.
 */
export function withoutSignature(text: string): string {
  return text.replace(/([?&]signature=)[^&\s]+/gi, '$1***')
}

/** A short reason for a REJECTED report: Binance's own `msg` when ccxt carried it. */
export function rejectReasonOf(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).replace(/^binance\s+/, '')
  const json = /\{.*"msg"\s*:\s*"([^"]*)".*\}/.exec(text)
  const kind = error instanceof Error ? error.constructor.name : 'Error'
  return json ? `${kind}: ${json[1]}` : `${kind}: ${text}`
}

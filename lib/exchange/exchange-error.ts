/**
 * What a failed exchange call means for the order it was about:
 * - `retryable`: the exchange did not act on it (rate limited, briefly unavailable before
 *   accepting, clock skew); the same call may be made again, after `retryAfterMs` if given.
 * - `rejected`: the exchange refused it for good (bad key, invalid order, ...); repeating it
 *   fails the same way.
 * - `unknown`: the request may or may not have been executed (timeout, -1007, 5xx, dropped
 *   connection after sending). Never re-send it: ask the exchange by client order id first.
 */
export type ExchangeErrorKind = 'retryable' | 'rejected' | 'unknown'

/** A failure talking to an exchange; only retryable ones may be retried. */
export class ExchangeError extends Error {
  readonly kind: ExchangeErrorKind
  /** How long the exchange asked us to stay away (Retry-After), when it said. */
  readonly retryAfterMs?: number

  constructor(
    message: string,
    /** True only for kind 'retryable': an 'unknown' outcome is never safe to send again. */
    public readonly retryable: boolean,
    opts: { kind?: ExchangeErrorKind; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'ExchangeError'
    this.kind = opts.kind ?? (retryable ? 'retryable' : 'rejected')
    if ((this.kind === 'retryable') !== retryable) {
      throw new Error(`ExchangeError: kind ${this.kind} contradicts retryable=${retryable}`)
    }
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs
  }

  static unknown(message: string, cause?: unknown): ExchangeError {
    return new ExchangeError(message, false, { kind: 'unknown', cause })
  }
}

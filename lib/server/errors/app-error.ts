import type { z } from 'zod'
import type { FieldError } from '@/lib/domain/field-error'

export const APP_ERROR_STATUS = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  EXCHANGE_REJECTED: 422,
  /** The exchange could not be reached or asked us to back off; nothing was sent. */
  EXCHANGE_UNAVAILABLE: 503,
  /** The exchange did not confirm an order: it may have executed and is being looked up. */
  EXCHANGE_UNCERTAIN: 502,
  RISK_LIMIT: 422,
  INTERNAL: 500,
  MARKET_UNAVAILABLE: 503,
  /** The server is at capacity for this kind of work (e.g. password hashing); retry later. */
  BUSY: 503,
  /** The database cannot be reached (down, restarting, recovering), or its server is out of disk or memory; retry later. */
  DATABASE_UNAVAILABLE: 503,
} as const

export type AppErrorCode = keyof typeof APP_ERROR_STATUS

/**
 * An expected failure that leaves the server as a clear HTTP status and message.
 * `message` is shown to the user, so it never carries secrets or internals.
 */
export class AppError extends Error {
  constructor(
    public code: AppErrorCode,
    message: string,
    public status: number = APP_ERROR_STATUS[code],
    public fieldErrors?: FieldError[],
    /** Sent as `Retry-After` (whole seconds) for 429 and 503 answers. */
    public retryAfterSeconds?: number,
  ) {
    super(message)
    this.name = 'AppError'
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError
}

export function validationError(fieldErrors: FieldError[], message?: string): AppError {
  const summary =
    message ??
    (fieldErrors.length === 1
      ? `${fieldErrors[0].field || 'input'}: ${fieldErrors[0].message}`
      : `${fieldErrors.length} fields are invalid`)
  return new AppError('VALIDATION', summary, APP_ERROR_STATUS.VALIDATION, fieldErrors)
}

export function notFound(what: string): AppError {
  return new AppError('NOT_FOUND', `${what} not found`, APP_ERROR_STATUS.NOT_FOUND)
}

export function unauthenticated(message = 'authentication required'): AppError {
  return new AppError('UNAUTHENTICATED', message, APP_ERROR_STATUS.UNAUTHENTICATED)
}

/** 429 with `Retry-After`: too many attempts from one address or for one account. */
export function rateLimited(message: string, retryAfterSeconds: number): AppError {
  return new AppError('RATE_LIMITED', message, APP_ERROR_STATUS.RATE_LIMITED, undefined, Math.max(1, Math.ceil(retryAfterSeconds)))
}

/** 503 with `Retry-After`: the server is at capacity for this work right now. */
export function busy(message: string, retryAfterSeconds: number): AppError {
  return new AppError('BUSY', message, APP_ERROR_STATUS.BUSY, undefined, Math.max(1, Math.ceil(retryAfterSeconds)))
}

export function conflict(message: string): AppError {
  return new AppError('CONFLICT', message, APP_ERROR_STATUS.CONFLICT)
}

/**
 * Field errors from a zod failure, with dotted paths such as `takeProfits.0.price`. A key a
 * strict object does not know is reported under its own name: a misspelt optional field
 * (`share` for `sharePct`, `trader_id` for `traderId`) must not be dropped silently, since
 * leaving it out means something else (close everything, panic every account).
 */
export function zodFieldErrors(err: z.ZodError, unknownKey = 'is not a known field'): FieldError[] {
  return err.issues.flatMap((issue) => {
    const at = issue.path.map((p) => String(p)).join('.')
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => ({ field: at ? `${at}.${k}` : k, message: unknownKey }))
    return [{ field: at, message: issue.message }]
  })
}

export function fromZodError(err: z.ZodError): AppError {
  return validationError(zodFieldErrors(err))
}

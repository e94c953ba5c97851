import type { z } from 'zod'
import { AppError, fromZodError, validationError } from '@/lib/server/errors/app-error'
import { knownError } from '@/lib/server/errors/known-error'
import { nestsDeeperThan, TOO_DEEP_MESSAGE } from '@/lib/domain/json-depth'
import { findUnstorableText } from '@/lib/domain/json-text'

export interface ErrorBody {
  error: { code: string; message: string; fields?: { field: string; message: string }[] }
}

// Next compresses every response of 1 KB or more whose client accepts gzip. An API answer of a
// few KB (a position, an order) saves a few hundred bytes that way and costs both ends more CPU
// than the route spends on its JSON: opens through the production build ran 14% slower at 100
// concurrent. Smaller answers say no-transform, which Next's compression honours; lists, log
// pages and journals are still compressed.
const COMPRESS_FROM_CHARS = 8192

export function jsonResponse(body: unknown, status = 200, headers?: HeadersInit): Response {
  const text = JSON.stringify(body)
  const h = new Headers(headers)
  h.set('Content-Type', 'application/json')
  if (text.length < COMPRESS_FROM_CHARS) h.append('Cache-Control', 'no-transform')
  return new Response(text, { status, headers: h })
}

export function errorResponse(err: AppError): Response {
  const body: ErrorBody = { error: { code: err.code, message: err.message } }
  if (err.fieldErrors?.length) body.error.fields = err.fieldErrors
  const headers = err.retryAfterSeconds ? { 'Retry-After': String(Math.max(1, Math.ceil(err.retryAfterSeconds))) } : undefined
  return jsonResponse(body, err.status, headers)
}

/**
 * Wraps a route handler: AppErrors become `{ error: { code, message, fields? } }` with their
 * status; a saturated or unreachable database is a 503 with Retry-After; anything else is logged
 * here and answered with a generic 500, so internals and secrets never reach the client.
 */
export function handleRoute<Args extends unknown[]>(
  fn: (...args: Args) => Promise<Response>,
): (...args: Args) => Promise<Response> {
  return async (...args: Args) => {
    try {
      return await fn(...args)
    } catch (err) {
      const known = knownError(err)
      if (known) return errorResponse(known)
      const req = args[0] instanceof Request ? args[0] : undefined
      const where = req ? `${req.method} ${new URL(req.url).pathname}` : 'route handler'
      // Log the error itself, never the request (it may carry passwords or tokens).
      console.error(`[api] unhandled error in ${where}:`, err)
      return errorResponse(new AppError('INTERNAL', 'internal server error', 500))
    }
  }
}

/** Reads a JSON body and validates it; a bad body becomes an AppError VALIDATION naming the fields. */
export async function parseJsonBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  let raw: unknown
  try {
    raw = JSON.parse(await req.text()) // an empty body is not JSON either
  } catch {
    throw new AppError('VALIDATION', 'request body is not valid JSON', 400)
  }
  if (nestsDeeperThan(raw)) throw validationError([{ field: 'body', message: TOO_DEEP_MESSAGE }])
  // Text PostgreSQL cannot store is refused here, in keys too, so that parts of a body kept as
  // JSON (settings groups, limits) cannot carry it to the database.
  const unstorable = findUnstorableText(raw)
  if (unstorable) throw validationError([{ field: unstorable.field || 'body', message: unstorable.message }])
  const parsed = await schema.safeParseAsync(raw)
  if (!parsed.success) throw fromZodError(parsed.error)
  return parsed.data
}

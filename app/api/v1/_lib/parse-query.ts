import type { z } from 'zod'
import { fromZodError, validationError } from '@/lib/server/errors/app-error'
import { hasControlCharacter } from '@/lib/server/validation/text-field'

/**
 * Validates a request's query string; a bad parameter becomes a 400 VALIDATION naming it.
 * No query value has a use for a control character (a %00 would reach PostgreSQL as a NUL),
 * so one is refused for every parameter, including those the schema does not name.
 * A parameter the schema does not name is refused too: a misspelt filter (`traderID`,
 * `positionid`) would otherwise answer, or export, everything it was meant to narrow.
 */
export function parseQuery<S extends z.ZodObject>(req: Request, schema: S): z.output<S> {
  const params = Object.fromEntries(new URL(req.url).searchParams)
  const bad = Object.entries(params).filter(([k, v]) => hasControlCharacter(k) || hasControlCharacter(v))
  if (bad.length) {
    throw validationError(bad.map(([k]) => ({ field: k.replace(/[\u0000-\u001F\u007F]/g, '?'), message: 'must not contain control characters' })))
  }
  const unknown = Object.keys(params).filter((k) => !Object.hasOwn(schema.shape, k))
  if (unknown.length) throw validationError(unknown.map((k) => ({ field: k, message: 'is not a known parameter' })))
  const parsed = schema.safeParse(params)
  if (!parsed.success) throw fromZodError(parsed.error)
  return parsed.data
}

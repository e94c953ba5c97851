import type { z } from 'zod'
import { fromZodError } from '@/lib/server/errors/app-error'

/** Validates a request's query string; a bad parameter becomes a 400 VALIDATION naming it. */
export function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  const params = Object.fromEntries(new URL(req.url).searchParams)
  const parsed = schema.safeParse(params)
  if (!parsed.success) throw fromZodError(parsed.error)
  return parsed.data
}

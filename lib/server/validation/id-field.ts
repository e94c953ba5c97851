import { z } from 'zod'
import { notFound } from '@/lib/server/errors/app-error'

/**
 * Every id we issue is a cuid (or a decimal BigInt for feed rows); anything else cannot name a
 * row, so it is refused before it reaches PostgreSQL (a NUL byte there is a 500).
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

export function isWellFormedId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value)
}

/** An id given in a body or query string (traderId, positionId, …): trimmed, then checked. */
export const ZIdField = z
  .string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string') })
  .trim()
  .min(1, { message: 'must not be empty', abort: true })
  .regex(ID_PATTERN, 'must be an id (letters, digits, - or _, at most 64 characters)')

/**
 * An id passed to a server action (a plain argument, not a checked path): a malformed one names
 * no row, so it is not found before it reaches PostgreSQL.
 */
export function checkedId(value: unknown, what: string): string {
  if (!isWellFormedId(value)) throw notFound(what)
  return value
}

import { AppError } from '@/lib/server/errors/app-error'

/** Seconds a caller is asked to wait: `npm start` restarts a database that died within about that. */
export const DATABASE_RETRY_AFTER_SECONDS = 5

// PostgreSQL's own "you are not connected": the connection-exception class (08…), a server that
// is shutting down, crashed, or starting up / recovering and not yet taking connections (57P0x).
const POSTGRES_CONNECTION_CODES = /^(08[0-9A-Z]{3}|57P0[123])$/
// Prisma's: the server cannot be reached, timed out, or closed the connection.
const PRISMA_CONNECTION_CODES = new Set(['P1001', 'P1002', 'P1017'])
// The socket calls whose failure, raised by pg itself, means the connection is gone.
const SOCKET_CALLS = new Set(['connect', 'read', 'write'])
// pg's own errors for a connection that died under a query, which carry no code.
const PG_LOST_CONNECTION = new Set(['Connection terminated unexpectedly', 'Connection terminated', 'Client has encountered a connection error and is not queryable'])

function lostDatabase(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false
  const e = err as Record<string, unknown>
  const code = typeof e.code === 'string' ? e.code : typeof e.originalCode === 'string' ? e.originalCode : null
  if (code && (POSTGRES_CONNECTION_CODES.test(code) || PRISMA_CONNECTION_CODES.has(code))) return true
  // A socket that could not connect (refused, no socket file, unreachable) or broke under a
  // statement (EPIPE, ECONNRESET). Only on the error itself or inside a database error: a failed
  // HTTP call (a channel, a model) says the same inside a fetch error's `cause`, and that is not
  // the database.
  if (SOCKET_CALLS.has(e.syscall as string) && typeof e.code === 'string') return true
  if (e instanceof Error && e.constructor === Error && PG_LOST_CONNECTION.has(e.message)) return true
  // Prisma's error carries PostgreSQL's code in its adapter error's cause (P2039, 57P01 inside).
  const inner = e.name === 'DriverAdapterError' ? ['cause'] : ['meta', 'driverAdapterError']
  return inner.some((k) => lostDatabase(e[k], depth + 1))
}

/**
 * A 503 with Retry-After when `err` says the database could not be reached or the connection to
 * it was lost (down, restarting, recovering), else null. Nothing can be written meanwhile, but
 * a request that failed part-way may have committed what it did before (an open whose answer
 * could not be read back, say), hence the advice to look before repeating a change.
 */
export function databaseUnavailableError(err: unknown): AppError | null {
  if (!lostDatabase(err)) return null
  return new AppError(
    'DATABASE_UNAVAILABLE',
    'the database cannot be reached right now (it may be restarting); try again in a few seconds — if this request changes something, check first whether it took effect',
    undefined,
    undefined,
    DATABASE_RETRY_AFTER_SECONDS,
  )
}

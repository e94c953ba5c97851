import { AppError } from '@/lib/server/errors/app-error'
import { codeOf, errorLayers } from './error-layers'

/** Seconds a caller is asked to wait: `npm start` restarts a database that died within about that. */
export const DATABASE_RETRY_AFTER_SECONDS = 5
/** A full disk waits for a person to free space. */
const DISK_FULL_RETRY_AFTER_SECONDS = 60

// PostgreSQL's own "you are not connected": the connection-exception class (08…), a server that
// is shutting down, crashed, or starting up / recovering and not yet taking connections (57P0x).
const POSTGRES_CONNECTION_CODES = /^(08[0-9A-Z]{3}|57P0[123])$/
// Prisma's: the server cannot be reached, timed out, or closed the connection.
const PRISMA_CONNECTION_CODES = new Set(['P1001', 'P1002', 'P1017'])
// The socket calls whose failure, raised by pg itself, means the connection is gone.
const SOCKET_CALLS = new Set(['connect', 'read', 'write'])
// The same failures as Prisma's error carries them: their code alone, on its own error.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTCONN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'])
// pg's own errors for a connection that died under a query, which carry no code.
const PG_LOST_CONNECTION = new Set(['Connection terminated unexpectedly', 'Connection terminated', 'Client has encountered a connection error and is not queryable'])
// PostgreSQL's insufficient resources that are the server's, not this request's: disk_full, out_of_memory.
const SERVER_SHORT_OF: Record<string, Trouble> = { '53100': 'disk', '53200': 'memory' }

type Trouble = 'lost' | 'disk' | 'memory'

/** What one layer of an error says of the database (see errorLayers), or null. */
function troubleIn(e: Record<string, unknown>): Trouble | null {
  const code = codeOf(e)
  if (code && (POSTGRES_CONNECTION_CODES.test(code) || PRISMA_CONNECTION_CODES.has(code))) return 'lost'
  if (code && SERVER_SHORT_OF[code]) return SERVER_SHORT_OF[code]
  // A socket that could not connect (refused, no socket file, unreachable) or broke under a
  // statement (EPIPE, ECONNRESET). Only on the error itself or inside a database error: a failed
  // HTTP call (a channel, a model) says the same inside a fetch error's `cause`, and that is not
  // the database.
  if (SOCKET_CALLS.has(e.syscall as string) && typeof e.code === 'string') return 'lost'
  if (code && SOCKET_CODES.has(code) && typeof e.name === 'string' && e.name.startsWith('PrismaClient')) return 'lost'
  if (e instanceof Error && e.constructor === Error && PG_LOST_CONNECTION.has(e.message)) return 'lost'
  return null
}

// Prisma's error carries PostgreSQL's code in its adapter error's cause (P2039, 57P01 inside);
// another error's cause is not followed (a fetch error's is the remote service's socket).
function troubleOf(err: unknown): Trouble | null {
  for (const e of errorLayers(err, { anyCause: false })) {
    const found = troubleIn(e)
    if (found) return found
  }
  return null
}

// A request that failed part-way may have committed what it did before (an open whose answer
// could not be read back, say), hence the advice to look before repeating a change.
const CHECK_FIRST = 'if this request changes something, check first whether it took effect'
const ANSWERS: Record<Trouble, { message: string; retryAfterSeconds: number }> = {
  lost: { message: `the database cannot be reached right now (it may be restarting); try again in a few seconds — ${CHECK_FIRST}`, retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
  disk: { message: `the database server has run out of disk space: free space on its disk, then try again — ${CHECK_FIRST}`, retryAfterSeconds: DISK_FULL_RETRY_AFTER_SECONDS },
  memory: { message: `the database server ran out of memory; try again in a few seconds — ${CHECK_FIRST}`, retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
}

/**
 * A 503 with Retry-After when `err` says the database could not be reached or the connection to
 * it was lost (down, restarting, recovering), or that its server is out of disk space or memory;
 * else null. None of these is the request's fault, and none is a bug of ours to answer with 500.
 */
export function databaseUnavailableError(err: unknown): AppError | null {
  const trouble = troubleOf(err)
  if (!trouble) return null
  const { message, retryAfterSeconds } = ANSWERS[trouble]
  return new AppError('DATABASE_UNAVAILABLE', message, undefined, undefined, retryAfterSeconds)
}

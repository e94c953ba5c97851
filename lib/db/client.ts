import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { PrismaClient } from '@/lib/generated/prisma/client'
import { SqlClient } from './sql-tx'

export type Db = PrismaClient
/** What a service needs: the client or an interactive transaction of it. */
export type DbTx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>

/**
 * Sized so that under load work queues instead of failing. The machine has few cores, so more
 * connections than this only add contention inside PostgreSQL; a request that finds every
 * connection busy waits for one (up to POOL_WAIT_MS) rather than erroring after Prisma's default
 * 2 s. Web and worker each hold one pool; with tests' many clients that stays well under the
 * embedded server's max_connections=200.
 */
export const POOL_MAX = 20
const POOL_WAIT_MS = 30_000
/**
 * How long a connection may sit idle before the pool closes it. Signals come in bursts on candle
 * closes (every 1, 5, 15 minutes), quiet in between: with pg's default (10 s) every burst began on
 * new connections, each a new server process that plans each statement afresh for its first runs
 * and fills its caches. 100 opens at once after 12 s of quiet cost PostgreSQL 13-15 ms of CPU
 * each against 7-8 ms on connections kept open (limits off; 22 against 11-16 with limits on).
 * TCP keepalives keep a connection through NAT and firewalls meanwhile (to a database elsewhere).
 */
const POOL_IDLE_MS = 16 * 60_000
/**
 * An interactive transaction may wait this long for its connection (maxWait) and run this long
 * (timeout): waiting on a busy trader's or account's row lock behind a queue of others is normal
 * under load and must not end the transaction. The busy-error mapping (503) remains for a
 * database that is really stuck.
 */
export const TRANSACTION_OPTIONS = { maxWait: POOL_WAIT_MS, timeout: 30_000 } as const

// Prisma keeps DateTime columns (timestamp without time zone) in UTC. Raw SQL that turns a
// timestamptz into such a column (now(), '…Z'::timestamptz) converts it to the session's time
// zone, which is the server's default: on a machine set to another zone those times would be
// hours off (a fresh quote read back as hours old). Every session therefore runs in UTC.
const SESSION_OPTIONS = '-c TimeZone=UTC'

// The pg pool under each client, for paths that run SQL on it directly (lib/db/sql-tx.ts). Kept on
// the client itself, under a global symbol: Next bundles this module more than once (route
// handlers, server actions, pages), and a client made by one copy is used by the others.
const POOL = Symbol.for('tradeloop.db.pool')
type WithPool = { [POOL]?: pg.Pool }

export function createDb(connectionString: string): Db {
  // Pipelined: a connection sends a statement without waiting for the answer to the one before
  // (answers still come in order), so a transaction's BEGIN, its writes whose results nothing
  // reads, and its COMMIT travel with other statements instead of costing a round trip each
  // (see withSqlTransaction). Prisma, which waits for each answer, runs on it as on any pool.
  const pool = new pg.Pool({
    connectionString, max: POOL_MAX, connectionTimeoutMillis: POOL_WAIT_MS, idleTimeoutMillis: POOL_IDLE_MS, keepAlive: true,
    options: SESSION_OPTIONS, pipeline: true,
  })
  // An idle connection that dies (the server restarts or ends it) is dropped by the pool and the
  // next query opens another. Unheard, its 'error' would end the process: Prisma listens only
  // once it has connected, and SQL may use the pool before that.
  pool.on('error', (err: Error & { code?: string }) => {
    // 57P01: the server ended an idle connection (shutdown, or a test dropping its database).
    if (err.code !== '57P01') console.error('[db] idle connection error:', err.message)
  })
  const client = new PrismaClient({
    // Ended with the client ($disconnect).
    adapter: new PrismaPg(pool, { disposeExternalPool: true }),
    transactionOptions: TRANSACTION_OPTIONS,
  })
  ;(client as WithPool)[POOL] = pool
  return client
}

/** The connection pool `client` runs on: one pool per process, shared by Prisma and raw SQL. */
export function poolOf(client: Db): pg.Pool {
  const pool = (client as WithPool)[POOL]
  if (!pool) throw new Error('this database client was not made by createDb')
  return pool
}

/** Statements straight on `client`'s pool, outside any transaction (see SqlClient). */
export function sqlOf(client: Db): SqlClient {
  return new SqlClient(poolOf(client))
}

// One client per process; Next's dev server reloads modules, so keep it on globalThis.
const globalForDb = globalThis as unknown as { __db?: Db }

export function db(): Db {
  if (!globalForDb.__db) {
    const url = process.env.DATABASE_URL
    if (!url) throw new Error('DATABASE_URL is not set (the start script sets it for the embedded database)')
    globalForDb.__db = createDb(url)
  }
  return globalForDb.__db
}

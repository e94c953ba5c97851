import { createHash } from 'node:crypto'
import pg from 'pg'
import { Prisma } from '@/lib/generated/prisma/client'

/**
 * What code that speaks only SQL needs of a database handle: Prisma's `$queryRaw` and
 * `$executeRaw`. The Prisma client and its interactive transactions are one; so is `SqlClient`
 * below, which runs the same statements straight on a pg connection.
 *
 * Results must not depend on which one runs them: queries written against this read decimals
 * through `fromDb` or cast them `::text` (Prisma gives a Decimal, pg a string), count with
 * `::int`, and get timestamps as Dates (both parse them as UTC).
 */
export interface SqlTx {
  $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<T>
  $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number>
}

const { builtins } = pg.types

/** `timestamp` (without time zone) columns hold UTC, as Prisma writes and reads them. */
function parseUtcTimestamp(s: string): Date {
  return new Date(`${s.replace(' ', 'T')}Z`)
}

const parsers: Partial<Record<number, (s: string) => unknown>> = {
  [builtins.TIMESTAMP]: parseUtcTimestamp,
  // As Prisma's $queryRaw gives it (pg would give a string).
  [builtins.INT8]: (s) => BigInt(s),
}
const types = {
  getTypeParser: ((oid: number, format?: string) => (format !== 'binary' && parsers[oid]) || pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
}

/** A parameter as Prisma would send it: Dates as UTC instants, decimals as their exact string. */
function toParam(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString()
  if (typeof v === 'bigint') return v.toString()
  if (Array.isArray(v)) return v.map(toParam)
  // A decimal.js Decimal (ours or Prisma's copy): pg would send its JSON, a quoted string.
  if (v !== null && typeof v === 'object' && 'd' in v && 'e' in v && typeof (v as { toFixed?: unknown }).toFixed === 'function') return (v as unknown as { toFixed(): string }).toFixed()
  return v
}

// Statements are prepared once per connection, by name: PostgreSQL then skips parsing and, after a
// few runs, planning them (reading a position's detail, one statement: 1.7 ms unprepared, 0.6 ms prepared here).
// The texts come from the code, so they are few; past the cap (a text built from a value list,
// say), statements go unnamed rather than fill every connection's cache. A name is the text's
// hash, the same in every copy of this module (Next bundles it more than once, over one pool): a
// name must never stand for two texts on one connection.
const MAX_NAMED = 1000
const names = new Map<string, string>()
function statementName(text: string): string | undefined {
  let n = names.get(text)
  if (!n && names.size < MAX_NAMED) names.set(text, (n = `tl_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`))
  return n
}

function statement(query: TemplateStringsArray | Prisma.Sql, values: unknown[]): Prisma.Sql {
  // A template's strings are an array; a fragment (of whichever bundled copy of the class) is not.
  return Array.isArray(query) ? Prisma.sql(query as TemplateStringsArray, ...values) : (query as Prisma.Sql)
}

/** SQL straight on a pg connection (or pool), without Prisma's query engine in between. */
export class SqlClient implements SqlTx {
  // On one connection (a transaction) statements go one at a time, as Prisma's transactions
  // send them: callers may start several at once (Promise.all), and pg no longer queues them.
  private tail: Promise<unknown> = Promise.resolve()

  constructor(private readonly conn: pg.Pool | pg.PoolClient) {}

  async $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<T> {
    return (await this.run(statement(query, values))).rows as T
  }

  async $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number> {
    return (await this.run(statement(query, values))).rowCount ?? 0
  }

  private run(s: Prisma.Sql): Promise<pg.QueryResult> {
    const text = s.text
    const send = () => this.conn.query({ name: statementName(text), text, values: s.values.map(toParam), types })
    if (this.conn instanceof pg.Pool) return send()
    const result = this.tail.then(send, send)
    this.tail = result.catch(() => {})
    return result
  }
}

/**
 * Runs `fn` in a transaction on one of the pool's connections: committed when it resolves,
 * rolled back when it throws (and the error rethrown). For hot paths written in SQL only: a
 * statement here costs the process a fraction of what it costs through Prisma.
 */
export async function withSqlTransaction<T>(pool: pg.Pool, fn: (tx: SqlTx) => Promise<T>): Promise<T> {
  const conn = await pool.connect().catch((e: Error) => {
    // Prisma's code for the same wait running out, so it is answered as busy (503) like it.
    throw Object.assign(new Error(`no database connection came free in time: ${e.message}`), { code: 'P2024', cause: e })
  })
  // A connection whose BEGIN, ROLLBACK or COMMIT failed is closed rather than given back.
  try {
    await conn.query('BEGIN')
  } catch (e) {
    conn.release(e as Error)
    throw e
  }
  let result: T
  try {
    result = await fn(new SqlClient(conn))
  } catch (e) {
    conn.release(await conn.query('ROLLBACK').then(() => undefined, (rollbackError: Error) => rollbackError))
    throw e
  }
  try {
    await conn.query('COMMIT')
  } catch (e) {
    conn.release(e as Error)
    throw e
  }
  conn.release()
  return result
}

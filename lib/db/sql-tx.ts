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

/** Whether `conn` sends each statement at once, without waiting for the answer to the one before (pg's pipeline mode, see createDb). */
function isPipelined(conn: pg.Pool | pg.PoolClient): boolean {
  return !(conn instanceof pg.Pool) && conn.pipeline
}

/** SQL straight on a pg connection (or pool), without Prisma's query engine in between. */
export class SqlClient implements SqlTx {
  // On one connection (a transaction) statements go one at a time, as Prisma's transactions
  // send them: callers may start several at once (Promise.all), and pg no longer queues them.
  // A pipelined connection keeps them in order itself.
  private tail: Promise<unknown> = Promise.resolve()
  /** Statements sent ahead (see sendAhead), and the first of them to fail. */
  private readonly ahead: Promise<unknown>[] = []
  private aheadFailure: { error: unknown } | undefined

  constructor(private readonly conn: pg.Pool | pg.PoolClient) {}

  async $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<T> {
    return (await this.run(statement(query, values))).rows as T
  }

  async $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number> {
    return (await this.run(statement(query, values))).rowCount ?? 0
  }

  /**
   * In a transaction on a pipelined connection: sends `query` and returns without waiting for its
   * answer, so it travels with the statements after it (and the COMMIT) instead of costing a round
   * trip of its own. For writes whose result nothing reads. If it fails, the transaction is aborted:
   * every later statement, and the commit, throws its error. Elsewhere it simply runs.
   */
  async sendAhead(query: Prisma.Sql): Promise<void> {
    if (!isPipelined(this.conn)) return void (await this.run(query))
    this.trackAhead(this.send(query))
  }

  /** A statement already sent on this connection that is to be treated as sent ahead (a pipelined BEGIN). */
  trackAhead(sent: Promise<unknown>): void {
    this.ahead.push(
      sent.catch((error: unknown) => {
        this.aheadFailure ??= { error }
      }),
    )
  }

  /** Waits for the statements sent ahead; the first one's failure, thrown. */
  async settleAhead(): Promise<void> {
    await Promise.all(this.ahead)
    if (this.aheadFailure) throw this.aheadFailure.error
  }

  private send(s: Prisma.Sql): Promise<pg.QueryResult> {
    return this.conn.query({ name: statementName(s.text), text: s.text, values: s.values.map(toParam), types })
  }

  private run(s: Prisma.Sql): Promise<pg.QueryResult> {
    if (this.conn instanceof pg.Pool) return this.send(s)
    if (isPipelined(this.conn)) {
      // Answers come in the order sent: by the time this one's is in, those sent ahead of it are
      // known. After one of them failed, this statement ran in an aborted transaction (or, after a
      // failed BEGIN, outside one): either way the caller hears the first failure.
      const after = () => {
        if (this.aheadFailure) throw this.aheadFailure.error
      }
      return this.send(s).then(
        (r) => (after(), r),
        (e: unknown) => {
          after()
          throw e
        },
      )
    }
    const send = () => this.send(s)
    const result = this.tail.then(send, send)
    this.tail = result.catch(() => {})
    return result
  }
}

/**
 * A statement already sent (its query called, not awaited) whose answer is awaited later, after
 * the answers to statements sent before it: on a pipelined connection they travel together, and
 * PostgreSQL still runs each after the one before has finished (so a read sent behind a lock runs
 * once the lock is granted, and sees everything committed before). Not awaited at all when an
 * earlier answer ends the transaction first: its failure then is not reported as unhandled.
 */
export function inFlight<T>(sent: Promise<T>): Promise<T> {
  sent.catch(() => {})
  return sent
}

/**
 * A write whose result nothing reads, sent ahead in a pipelined transaction (see
 * SqlClient.sendAhead), run and waited for anywhere else (a Prisma transaction, say).
 */
export async function writeAhead(tx: SqlTx, query: Prisma.Sql): Promise<void> {
  const ahead = (tx as Partial<Pick<SqlClient, 'sendAhead'>>).sendAhead
  if (typeof ahead === 'function') await ahead.call(tx, query)
  else await tx.$executeRaw(query)
}

/**
 * Runs `fn` in a transaction on one of the pool's connections: committed when it resolves,
 * rolled back when it throws (and the error rethrown). For hot paths written in SQL only: a
 * statement here costs the process a fraction of what it costs through Prisma.
 *
 * On a pipelined connection, BEGIN goes out with the first statement and COMMIT with the
 * statements sent ahead before it: a transaction costs the round trips of the answers it waits
 * for, and no more.
 */
export async function withSqlTransaction<T>(pool: pg.Pool, fn: (tx: SqlTx) => Promise<T>): Promise<T> {
  const conn = await pool.connect().catch((e: Error) => {
    // Prisma's code for the same wait running out, so it is answered as busy (503) like it.
    throw Object.assign(new Error(`no database connection came free in time: ${e.message}`), { code: 'P2024', cause: e })
  })
  const tx = new SqlClient(conn)
  const pipelined = isPipelined(conn)
  // A connection whose BEGIN, ROLLBACK or COMMIT failed is closed rather than given back.
  const begin = conn.query('BEGIN')
  let beginFailed: Error | undefined
  if (pipelined) {
    // Sent ahead: if it fails, every statement after it and the commit throw its error (see run),
    // and the connection is closed.
    tx.trackAhead(
      begin.catch((e: Error) => {
        beginFailed = e
        throw e
      }),
    )
  } else {
    try {
      await begin
    } catch (e) {
      conn.release(e as Error)
      throw e
    }
  }
  let result: T
  try {
    result = await fn(tx)
  } catch (e) {
    const rollbackError = await conn.query('ROLLBACK').then(() => undefined, (re: Error) => re)
    conn.release(beginFailed ?? rollbackError)
    throw e
  }
  // Sent right behind the statements sent ahead: if one of them failed, the transaction is
  // aborted and PostgreSQL answers this COMMIT with a ROLLBACK (not an error), and that failure is thrown.
  const commit = conn.query('COMMIT')
  const aheadFailure = await tx.settleAhead().then(() => undefined, (error: unknown) => ({ error }))
  try {
    const done = await commit
    if (aheadFailure) throw aheadFailure.error
    if (done.command !== 'COMMIT') throw new Error(`the transaction was not committed (${done.command})`)
  } catch (e) {
    // After a COMMIT that was answered, the connection is idle and goes back to the pool.
    conn.release(beginFailed ?? (aheadFailure && e === aheadFailure.error ? undefined : (e as Error)))
    throw e
  }
  conn.release()
  return result
}

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { poolOf } from '@/lib/db/client'
import { SqlClient, withSqlTransaction, writeAhead, type SqlTx } from '@/lib/db/sql-tx'
import { dec } from '@/lib/domain/decimal'
import { Prisma } from '@/lib/generated/prisma/client'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { waitFor } from '../../support/wait-for'

let t: TestDatabase
let sql: SqlClient
beforeAll(async () => {
  t = await createTestDatabase()
  sql = new SqlClient(poolOf(t.db))
  await t.db.$executeRaw`CREATE TABLE sql_tx_probe (id int PRIMARY KEY, at timestamp(3) NOT NULL, amount numeric(36, 18) NOT NULL, tags text[] NOT NULL, doc jsonb NOT NULL)`
})
afterAll(async () => {
  await t.drop()
})

// The same statement through Prisma and straight on pg: helpers written against SqlTx run on both.
const probe = (db: SqlTx, id: number) =>
  db.$queryRaw<{ id: number; at: Date; amount: string; tags: string[]; doc: unknown; n: number; big: bigint; side: string }[]>`
    SELECT id, at, amount::text AS amount, tags, doc, count(*) OVER ()::int AS n, 9007199254740993::int8 AS big, 'LONG'::"PositionSide"::text AS side
    FROM sql_tx_probe WHERE id = ${id}`

test('parameters and results come out the same through Prisma and through SqlClient', async () => {
  const at = new Date('2026-03-29T01:30:00.123Z') // a DST change in Europe: nothing local may creep in
  const write = (db: SqlTx, id: number) =>
    db.$executeRaw`INSERT INTO sql_tx_probe VALUES (${id}, ${at}, ${dec('0.000000000000000001')}, ${['a', 'b']}, ${JSON.stringify({ k: [1, 'x'] })}::jsonb)`
  expect(await write(t.db, 1)).toBe(1)
  expect(await write(sql, 2)).toBe(1)
  const viaPrisma = (await probe(t.db, 1))[0]!
  const viaPg = (await probe(sql, 2))[0]!
  expect(viaPg).toEqual({ ...viaPrisma, id: 2 })
  expect(viaPg.at.toISOString()).toBe('2026-03-29T01:30:00.123Z')
  expect(viaPg.amount).toBe('0.000000000000000001')
  expect(viaPg.big).toBe(9007199254740993n)
  // Fragments compose as with Prisma.
  const where = Prisma.sql`id = ${2}`
  expect(await sql.$queryRaw<{ id: number }[]>(Prisma.sql`SELECT id FROM sql_tx_probe WHERE ${where}`)).toEqual([{ id: 2 }])
})

test('withSqlTransaction commits what succeeds and rolls back what throws, and the pool recovers', async () => {
  const pool = poolOf(t.db)
  await withSqlTransaction(pool, (tx) => tx.$executeRaw`INSERT INTO sql_tx_probe VALUES (10, now(), 1, '{}', '{}')`)
  await expect(
    withSqlTransaction(pool, async (tx) => {
      await tx.$executeRaw`INSERT INTO sql_tx_probe VALUES (11, now(), 1, '{}', '{}')`
      throw new Error('refused')
    }),
  ).rejects.toThrow('refused')
  // A statement PostgreSQL refuses aborts the transaction; its error comes out with its code.
  await expect(withSqlTransaction(pool, (tx) => tx.$executeRaw`INSERT INTO sql_tx_probe VALUES (10, now(), 1, '{}', '{}')`)).rejects.toMatchObject({ code: '23505' })
  const ids = await t.db.$queryRaw<{ id: number }[]>`SELECT id FROM sql_tx_probe WHERE id >= 10 ORDER BY id`
  expect(ids).toEqual([{ id: 10 }])
  // Every connection went back: the pool serves more transactions than it has connections.
  await Promise.all(Array.from({ length: 60 }, () => withSqlTransaction(pool, (tx) => tx.$queryRaw`SELECT 1`)))
  expect(pool.waitingCount).toBe(0)
})

test('two copies of the module (Next bundles it more than once) never give one statement name to two texts on a connection', async () => {
  const fresh = async () => {
    vi.resetModules()
    return (await import('@/lib/db/sql-tx')) as typeof import('@/lib/db/sql-tx')
  }
  const [one, two] = [await fresh(), await fresh()]
  expect(one.SqlClient).not.toBe(two.SqlClient)
  const conn = await poolOf(t.db).connect()
  try {
    // Each copy's first statement: named by a per-copy counter, both would be called alike.
    expect(await new one.SqlClient(conn).$queryRaw<{ a: number }[]>`SELECT 1::int AS a`).toEqual([{ a: 1 }])
    expect(await new two.SqlClient(conn).$queryRaw<{ b: number }[]>`SELECT 2::int AS b`).toEqual([{ b: 2 }])
  } finally {
    conn.release()
  }
})

describe('a pipelined transaction', () => {
  const row = (id: number) => Prisma.sql`INSERT INTO sql_tx_probe VALUES (${id}, now(), 1, '{}', '{}')`
  const ids = async (from: number) => (await t.db.$queryRaw<{ id: number }[]>`SELECT id FROM sql_tx_probe WHERE id >= ${from} ORDER BY id`).map((r) => r.id)

  test('runs on the process pool, and sends a write ahead without waiting for its answer', async () => {
    const pool = poolOf(t.db)
    await t.db.$executeRaw`INSERT INTO sql_tx_probe VALUES (100, now(), 1, '{}', '{}')`
    // Another connection holds the row: the write sent ahead waits for it inside PostgreSQL, and
    // writeAhead has returned all the same.
    const holder = await pool.connect()
    await holder.query('BEGIN')
    await holder.query('SELECT 1 FROM sql_tx_probe WHERE id = 100 FOR UPDATE')
    let sentAhead = false
    const committed = withSqlTransaction(pool, async (tx) => {
      await writeAhead(tx, Prisma.sql`UPDATE sql_tx_probe SET amount = 2 WHERE id = 100`)
      sentAhead = true
      await writeAhead(tx, row(101))
    })
    await waitFor(async () => sentAhead, 'the write sent ahead to return')
    const [{ waiting }] = await t.db.$queryRaw<{ waiting: number }[]>`
      SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE sql_tx_probe SET amount = 2%'`
    expect(waiting).toBe(1)
    await holder.query('COMMIT')
    holder.release()
    await committed
    expect(await ids(100)).toEqual([100, 101])
    expect((await t.db.$queryRaw<{ amount: string }[]>`SELECT amount::text AS amount FROM sql_tx_probe WHERE id = 100`)[0]!.amount).toBe('2.000000000000000000')
  })

  test('a write sent ahead that fails rolls everything back: a later statement, or the commit, throws its error', async () => {
    const pool = poolOf(t.db)
    await t.db.$executeRaw`INSERT INTO sql_tx_probe VALUES (200, now(), 1, '{}', '{}')`
    // The failure surfaces at the next statement that waits for its answer (not as "current transaction is aborted").
    let after: unknown
    await expect(
      withSqlTransaction(pool, async (tx) => {
        await tx.$executeRaw(row(201))
        await writeAhead(tx, row(200))
        after = await tx.$queryRaw`SELECT 1`.catch((e: unknown) => e)
        throw after
      }),
    ).rejects.toMatchObject({ code: '23505', constraint: 'sql_tx_probe_pkey' })
    expect(after).toMatchObject({ code: '23505' })
    // ...or at the commit, which PostgreSQL answers with a ROLLBACK.
    await expect(
      withSqlTransaction(pool, async (tx) => {
        await tx.$executeRaw(row(202))
        await writeAhead(tx, row(200))
        return 'done'
      }),
    ).rejects.toMatchObject({ code: '23505' })
    expect(await ids(200)).toEqual([200])
    // The connections went back in a usable state.
    await Promise.all(Array.from({ length: 40 }, (_, i) => withSqlTransaction(pool, (tx) => writeAhead(tx, row(300 + i)))))
    expect(await ids(300)).toHaveLength(40)
    expect(pool.waitingCount).toBe(0)
  })

  test('on a pool that does not pipeline, and in a Prisma transaction, a write sent ahead simply runs', async () => {
    const plain = new pg.Pool({ connectionString: t.url, max: 2 })
    try {
      await withSqlTransaction(plain, async (tx) => {
        await writeAhead(tx, row(400))
        expect(await tx.$queryRaw<{ id: number }[]>`SELECT id FROM sql_tx_probe WHERE id = 400`).toEqual([{ id: 400 }])
      })
      await expect(withSqlTransaction(plain, (tx) => writeAhead(tx, row(400)))).rejects.toMatchObject({ code: '23505' })
    } finally {
      await plain.end()
    }
    await expect(t.db.$transaction((tx) => writeAhead(tx, row(400)))).rejects.toThrow()
    await t.db.$transaction((tx) => writeAhead(tx, row(401)))
    expect(await ids(400)).toEqual([400, 401])
  })
})

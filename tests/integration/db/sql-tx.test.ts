import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import { poolOf } from '@/lib/db/client'
import { SqlClient, withSqlTransaction, type SqlTx } from '@/lib/db/sql-tx'
import { dec } from '@/lib/domain/decimal'
import { Prisma } from '@/lib/generated/prisma/client'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

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

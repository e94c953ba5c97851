import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { SHARD_COUNT, shardOf, shardSql } from '@/workers/lease/account-shard'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(async () => {
  await t?.drop()
})

// A worker lists its accounts in SQL and decides single ids in Node: the two must agree.
test('an account id falls in the same shard in Node and in PostgreSQL, and ids spread over every shard', async () => {
  const ids = Array.from({ length: 2000 }, (_, i) => (i % 2 ? `c${randomBytes(12).toString('hex')}` : randomBytes(9).toString('base64url')))
  const rows = await t.db.$queryRawUnsafe<{ id: string; shard: number }[]>(`SELECT id, ${shardSql('id')} AS shard FROM unnest($1::text[]) AS id`, ids)
  expect(rows).toHaveLength(ids.length)
  for (const r of rows) expect([r.id, Number(r.shard)]).toEqual([r.id, shardOf(r.id)])
  expect(new Set(rows.map((r) => Number(r.shard))).size).toBe(SHARD_COUNT)
  // Worked out by hand: md5('acct') = 4c1228..., 0x4c = 76, 76 & 63 = 12.
  expect(shardOf('acct')).toBe(12)
})

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { pendingSchemaSql } from '@/lib/db/migrations'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

describe('prisma/migrations', () => {
  let t: TestDatabase
  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(() => t.drop())

  test('agree with schema.prisma (a schema change without its migration fails here)', async () => {
    const sql = await pendingSchemaSql(t.url)
    expect(sql, `schema.prisma has changes with no migration; run npm run db:new-migration -- <name>:\n${sql}`).toBe('')
  })

  test('produce a working schema: a user row round-trips', async () => {
    const u = await t.db.user.create({ data: { email: 'a@example.com', passwordHash: 'x' } })
    expect((await t.db.user.findUniqueOrThrow({ where: { id: u.id } })).email).toBe('a@example.com')
  })
})

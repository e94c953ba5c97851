import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'
import { createDb, type Db } from '@/lib/db/client'
import { databaseUrl } from '@/lib/db/scratch-database'

export interface TestDatabase {
  url: string
  db: Db
  drop(): Promise<void>
}

/** A fresh, migrated, real PostgreSQL database (a clone of the run's template). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = inject('templateDbUrl')
  const name = `t_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: databaseUrl(template, 'postgres') })
  await admin.connect()
  // Cloning needs the template to have no other connections; clones run one at a time.
  await admin.query('SELECT pg_advisory_lock(4242)')
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE template_tradeloop`)
  } finally {
    await admin.query('SELECT pg_advisory_unlock(4242)')
    await admin.end()
  }
  const url = databaseUrl(template, name)
  const db = createDb(url)
  return {
    url,
    db,
    async drop() {
      await db.$disconnect()
      const c = new pg.Client({ connectionString: databaseUrl(template, 'postgres') })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await c.end()
    },
  }
}

/** A plain pg client on `t`'s database, connected (for bulk rows and query plans); the caller ends it. */
export async function sqlClient(t: TestDatabase): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: t.url })
  await c.connect()
  return c
}

/** Users `user-0` … `user-<last>` in one statement, for tests about one user among many. */
export async function insertUsers(c: pg.Client, last: number): Promise<void> {
  await c.query(`INSERT INTO "User" (id, email, "passwordHash") SELECT 'user-' || g, 'u' || g || '@example.com', 'x' FROM generate_series(0, $1::int) g`, [last])
}

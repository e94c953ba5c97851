import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { startEmbeddedPostgresOnRandomPort } from '@/lib/db/embedded-postgres'
import { applyMigrations } from '@/lib/db/migrations'
import { withScratchDatabase } from '@/lib/db/scratch-database'
import type { Db } from '@/lib/db/client'
import { trackStatements } from './statement-times'

/**
 * A migrated database for one benchmark: a scratch one beside DATABASE_URL, else a temporary
 * embedded cluster (`ownCluster`). `statementStats`: that cluster loads pg_stat_statements with
 * tracking off, for statementTimes to switch on for its own pass only (tracking every statement,
 * planning included, costs PostgreSQL a few per cent); a server of one's own has it only if it was
 * configured so.
 */
export async function withBenchDatabase<T>(fn: (url: string, ownCluster: boolean) => Promise<T>, o: { statementStats?: boolean } = {}): Promise<T> {
  if (process.env.DATABASE_URL) return withScratchDatabase(process.env.DATABASE_URL, async (url) => (await applyMigrations(url), fn(url, false)))
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tradeloop-bench-pg-'))
  const settings = o.statementStats ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_planning': 'on' } : undefined
  const cluster = await startEmbeddedPostgresOnRandomPort({ dataDir: dir, from: 45000, span: 5000, dbName: 'bench', quiet: true, settings })
  try {
    if (o.statementStats) await withClient(cluster.url, (c) => trackStatements(c, 'none'))
    await applyMigrations(cluster.url)
    return await fn(cluster.url, true)
  } finally {
    await cluster.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * Runs `fn` with the process-wide client (lib/db/client's db(), which route modules use and which
 * reads DATABASE_URL on first use) pointed at `url`, then disconnects it and puts DATABASE_URL
 * back: a later section would otherwise take this section's (stopped) cluster for its own.
 */
export async function withProcessDatabase<T>(url: string, fn: () => Promise<T>): Promise<T> {
  const shared = globalThis as { __db?: Db }
  const reset = async () => {
    await shared.__db?.$disconnect()
    delete shared.__db
  }
  const previousUrl = process.env.DATABASE_URL
  process.env.DATABASE_URL = url
  await reset()
  try {
    return await fn()
  } finally {
    await reset()
    if (previousUrl === undefined) delete process.env.DATABASE_URL
    else process.env.DATABASE_URL = previousUrl
  }
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { startEmbeddedPostgresOnRandomPort } from '@/lib/db/embedded-postgres'
import { applyMigrations } from '@/lib/db/migrations'
import { withScratchDatabase } from '@/lib/db/scratch-database'
import type { Db } from '@/lib/db/client'

/** A migrated database for one benchmark: a scratch one beside DATABASE_URL, else a temporary embedded cluster. */
export async function withBenchDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  if (process.env.DATABASE_URL) return withScratchDatabase(process.env.DATABASE_URL, async (url) => (await applyMigrations(url), fn(url)))
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tradeloop-bench-pg-'))
  const pg = await startEmbeddedPostgresOnRandomPort({ dataDir: dir, from: 45000, span: 5000, dbName: 'bench', quiet: true })
  try {
    await applyMigrations(pg.url)
    return await fn(pg.url)
  } finally {
    await pg.stop()
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

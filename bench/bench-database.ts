import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { startEmbeddedPostgres } from '@/lib/db/embedded-postgres'
import { applyMigrations } from '@/lib/db/migrations'
import { withScratchDatabase } from '@/lib/db/scratch-database'

/** A migrated database for one benchmark: a scratch one beside DATABASE_URL, else a temporary embedded cluster. */
export async function withBenchDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  if (process.env.DATABASE_URL) return withScratchDatabase(process.env.DATABASE_URL, async (url) => (await applyMigrations(url), fn(url)))
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tradeloop-bench-pg-'))
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: 45000 + Math.floor(Math.random() * 5000), dbName: 'bench', quiet: true })
  try {
    await applyMigrations(pg.url)
    return await fn(pg.url)
  } finally {
    await pg.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

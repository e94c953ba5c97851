import { env } from '@/lib/config/env'
import { startEmbeddedPostgres } from '@/lib/db/embedded-postgres'

/** Runs `fn` with a database URL: DATABASE_URL if set, else the embedded cluster under DATA_DIR. */
export async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const cfg = env()
  if (cfg.DATABASE_URL) return fn(cfg.DATABASE_URL)
  const pg = await startEmbeddedPostgres({ dataDir: cfg.DATA_DIR, port: cfg.EMBEDDED_PG_PORT, quiet: true })
  try {
    return await fn(pg.url)
  } finally {
    await pg.stop()
  }
}

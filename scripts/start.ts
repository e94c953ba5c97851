// npm start — the whole product on one machine: embedded PostgreSQL (unless DATABASE_URL is
// set), migrations, the Next.js web app and the worker, each restarted if it dies. Ctrl-C stops
// everything cleanly.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { ConfigError, env } from '@/lib/config/env'
import { createDb } from '@/lib/db/client'
import { isPortFree, startEmbeddedPostgres } from '@/lib/db/embedded-postgres'
import { applyMigrations } from '@/lib/db/migrations'
import { ensureAdminFromEnv } from '@/lib/server/auth/users'
import { getHealth } from '@/lib/server/health/get-health'
import { healthOptions } from '@/lib/server/health/health-options'
import { buildWebAppIfNeeded } from './start/build-web-app'
import { DatabaseSupervisor } from './start/database-supervisor'
import { waitForTrading, waitForWebApp } from './start/readiness'
import { Supervisor } from './start/supervisor'
import { webProcessArgs } from './start/web-command'

const ROOT = path.resolve(import.meta.dirname, '..')
const dev = process.argv.includes('--dev')
const t0 = Date.now()
const say = (m: string) => console.log(`[start] ${m}`)

class StartError extends Error {}

async function main() {
  const cfg = env()
  if (!(await isPortFree(cfg.PORT, '0.0.0.0'))) throw new StartError(`Port ${cfg.PORT} is already in use: stop what is using it or set PORT to another port.`)

  let stopDb: (() => Promise<void>) | null = null
  let url = cfg.DATABASE_URL
  let dataDir = cfg.DATABASE_DATA_DIR
  if (!url) {
    say(`starting embedded PostgreSQL in ${path.resolve(cfg.DATA_DIR, 'pg')}`)
    // Same data, port and password on every start, so a restart keeps DATABASE_URL valid.
    const embedded = await DatabaseSupervisor.start((onUnexpectedExit) => startEmbeddedPostgres({ dataDir: cfg.DATA_DIR, port: cfg.EMBEDDED_PG_PORT, onUnexpectedExit }), say)
    url = embedded.url
    dataDir ??= path.resolve(embedded.clusterDir)
    stopDb = () => embedded.stop()
    if (embedded.clusterDir !== path.resolve(cfg.DATA_DIR, 'pg')) say(`(running as root: the postgres user cannot reach DATA_DIR, so the data is in ${embedded.clusterDir})`)
  } else {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
    await c.connect().catch((e) => {
      throw new StartError(`Database unreachable at DATABASE_URL (${redact(url!)}): ${e.message}`)
    })
    await c.end()
  }

  let supervisor: Supervisor | null = null
  let shuttingDown = false
  const shutdown = async (code: number) => {
    if (shuttingDown) return
    shuttingDown = true
    say('stopping…')
    // Clients first, the database last: stopping PostgreSQL under connected clients makes them
    // fail with "terminating connection due to administrator command".
    await supervisor?.stopAll()
    await stopDb?.()
    say('stopped')
    process.exit(code)
  }
  process.on('SIGINT', () => void shutdown(0))
  process.on('SIGTERM', () => void shutdown(0))
  process.on('SIGHUP', () => void shutdown(0))

  try {
    const applied = await applyMigrations(url)
    if (applied.length) say(`applied migrations: ${applied.join(', ')}`)
    const db = createDb(url)
    const admin = await ensureAdminFromEnv(db, cfg)
    if (admin.created) say(`created admin account ${cfg.ADMIN_EMAIL}`)
    await db.$disconnect()
  } catch (e) {
    await stopDb?.()
    throw e
  }

  const secret = cfg.NEXTAUTH_SECRET ?? persistentSecret(cfg.DATA_DIR, 'auth-secret')
  const childEnv = {
    ...process.env,
    DATABASE_URL: url,
    // Whose disk health watches.
    ...(dataDir ? { DATABASE_DATA_DIR: dataDir } : {}),
    NEXTAUTH_SECRET: secret,
    // Encrypts exchange keys, LLM keys and webhook URLs at rest (lib/server/secrets/secret-box.ts).
    SECRETS_KEY: cfg.SECRETS_KEY ?? persistentSecret(cfg.DATA_DIR, 'secrets-key'),
    PORT: String(cfg.PORT),
  }
  if (!dev) {
    try {
      buildWebAppIfNeeded(ROOT, childEnv, say)
    } catch (e) {
      throw new StartError((e as Error).message)
    }
  }

  supervisor = new Supervisor(childEnv, say)
  supervisor.add('web', webProcessArgs(ROOT, cfg.PORT, dev), {
    NODE_ENV: dev ? 'development' : 'production',
  })
  // tsx as a loader (not its CLI, which runs the script in a grandchild): the pid we log and
  // signal is the worker itself, and a killed worker leaves nothing behind holding its lease.
  for (let i = 1; i <= cfg.WORKERS; i++) supervisor.add(i === 1 ? 'worker' : `worker-${i}`, ['--import', 'tsx', 'workers/main.ts'])
  if (shuttingDown) return

  try {
    await waitForWebApp(cfg.PORT)
  } catch (e) {
    console.error(`[start] ${(e as Error).message}`)
    return shutdown(1)
  }
  // Read from the database (the worker's heartbeat, the quotes), as the web app reads it.
  const healthDb = createDb(url)
  const missing = await waitForTrading(() => getHealth(healthOptions(healthDb)).catch(() => null))
  await healthDb.$disconnect()
  if (shuttingDown) return
  say(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: open http://localhost:${cfg.PORT}`)
  if (missing) say(`not trading yet: ${missing} (the dashboard shows it too)`)
}

/** A random secret kept under DATA_DIR, so sign-ins and encrypted settings survive restarts. */
function persistentSecret(dataDir: string, name: string): string {
  const file = path.resolve(dataDir, name)
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(path.dirname(file), { recursive: true })
  const s = randomBytes(32).toString('base64url')
  writeFileSync(file, s, { mode: 0o600 })
  return s
}

function redact(u: string) {
  return u.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')
}

main().catch((e) => {
  if (e instanceof ConfigError || e instanceof StartError) console.error(`[start] ${e.message}`)
  else console.error(`[start] failed: ${(e as Error).message}`)
  process.exit(1)
})

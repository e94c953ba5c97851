import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { isPortFree, startEmbeddedPostgres } from '@/lib/db/embedded-postgres'
import { DatabaseSupervisor } from '@/scripts/start/database-supervisor'
import type { RestartPolicy } from '@/scripts/start/restart-policy'
import { waitFor } from '../../support/wait-for'

/**
 * npm start's embedded PostgreSQL, killed with -9 as the kernel's out-of-memory killer would:
 * started again on the same port and data, with what was committed still there; left down after
 * too many deaths; and stopped cleanly even while a restart is pending.
 */

// Below Linux's ephemeral range (32768–60999): a restart must get the same port back, and an
// outgoing connection's local end could hold one from that range meanwhile.
const portFrom = 24_000 + Math.floor(Math.random() * 2_000)
let dir: string | null = null
let supervisor: DatabaseSupervisor | null = null

afterEach(async () => {
  vi.restoreAllMocks()
  await supervisor?.stop()
  supervisor = null
  if (dir) await rm(dir, { recursive: true, force: true })
  dir = null
})

async function freePort(): Promise<number> {
  for (let p = portFrom; p < portFrom + 200; p++) if (await isPortFree(p)) return p
  throw new Error('no free port')
}

/** The supervised server of a new cluster, with what [start] says and writes as errors. */
async function supervised(policy: RestartPolicy) {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tradeloop-db-supervisor-'))
  const port = await freePort()
  const said: string[] = []
  vi.spyOn(console, 'error').mockImplementation((m: unknown) => void said.push(String(m)))
  const dataDir = dir
  supervisor = await DatabaseSupervisor.start((onUnexpectedExit) => startEmbeddedPostgres({ dataDir, port, dbName: 'supervised', quiet: true, onUnexpectedExit }), (m) => said.push(m), policy)
  return { said, url: supervisor.url, clusterDir: supervisor.clusterDir }
}

/** The postmaster's pid, from its lock file (first line). */
async function postmasterPid(clusterDir: string): Promise<number> {
  return Number((await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0])
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return (await c.query<T>(sql)).rows
  } finally {
    await c.end()
  }
}

const FAST: RestartPolicy = { crashLimit: 5, windowMs: 60_000, firstDelayMs: 200, maxDelayMs: 1_000 }

describe('the embedded database under npm start', () => {
  test('killed with -9, it is started again on the same URL, and what was committed is there', async () => {
    const { said, url, clusterDir } = await supervised(FAST)
    await query(url, 'CREATE TABLE kept (v int NOT NULL)')
    await query(url, 'INSERT INTO kept VALUES (1), (2), (3)')
    const first = await postmasterPid(clusterDir)

    process.kill(first, 'SIGKILL')
    await waitFor(async () => said.includes('database started again') || null, 'the database to be started again', 30_000)

    expect(said).toContain('[start] database exited unexpectedly (killed by SIGKILL); restarting in 0.2 s')
    expect(await postmasterPid(clusterDir)).not.toBe(first)
    expect(supervisor!.url).toBe(url)
    expect(await query<{ v: number }>(url, 'SELECT v FROM kept ORDER BY v')).toEqual([{ v: 1 }, { v: 2 }, { v: 3 }])
  })

  test('a database that keeps dying is left down with a clear line, and stop() still returns', async () => {
    const { said, clusterDir } = await supervised({ ...FAST, crashLimit: 2 })
    process.kill(await postmasterPid(clusterDir), 'SIGKILL')
    await waitFor(async () => said.includes('database started again') || null, 'the first restart', 30_000)
    process.kill(await postmasterPid(clusterDir), 'SIGKILL')
    await waitFor(async () => said.some((m) => m.includes('leaving it down')) || null, 'the supervisor to give up', 30_000)

    expect(said.filter((m) => m === 'database started again')).toHaveLength(1)
    expect(said.join('\n')).toContain('[start] database crashed 2 times in 60 s; leaving it down — see the log above; restart npm start when fixed')
    await supervisor!.stop()
  })

  test('stopped while a restart is pending, it is not started again and nothing is left running', async () => {
    const { said, clusterDir } = await supervised({ ...FAST, firstDelayMs: 1_000 })
    const pid = await postmasterPid(clusterDir)
    process.kill(pid, 'SIGKILL')
    await waitFor(async () => said.some((m) => m.includes('restarting in 1 s')) || null, 'the crash to be seen', 10_000)

    await supervisor!.stop()
    supervisor = null
    await new Promise((r) => setTimeout(r, 1_500))
    expect(said).not.toContain('database started again')
    // No server on that cluster: its lock file is the dead one's, or gone.
    const now = await postmasterPid(clusterDir).catch(() => pid)
    expect(now).toBe(pid)
  })
})

import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, onTestFailed, test } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { processAlive as alive } from '../../support/process-alive'
import { waitFor } from '../../support/wait-for'

const ROOT = path.resolve(import.meta.dirname, '../../..')

/** `npm run worker` (its script, through tsx's CLI as npm runs it) with `env` and no DATABASE_URL but its own; its output so far. */
function runWorkerCommand(env: Record<string, string>) {
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/worker.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  return { child, output: () => out, exited }
}

/**
 * `npm run worker`, the command that runs a worker on another machine, keeps its worker up as npm
 * start does: the worker exits when its database restarts (or is killed), and is started again.
 */
describe('npm run worker', () => {
  let t: TestDatabase
  beforeAll(async () => {
    t = await createTestDatabase()
  })
  afterAll(() => t?.drop())

  test('a worker killed with -9 is started again; Ctrl-C stops it with nothing left running', async () => {
    const run = runWorkerCommand({ DATABASE_URL: t.url, MARKET_DATA_SOURCE: 'simulated', WORKER_HEARTBEAT_MS: '500' })
    onTestFailed(() => console.log(run.output()))
    const pids = () => [...run.output().matchAll(/\[worker-start\] worker started \(pid (\d+)\)/g)].map((m) => Number(m[1]))
    try {
      await waitFor(async () => run.output().includes('[worker] started as') || null, 'the worker to start', 60_000)
      const [first] = pids()
      process.kill(first!, 'SIGKILL')
      await waitFor(async () => (run.output().match(/\[worker\] started as/g) ?? []).length === 2 || null, 'the worker to start again', 60_000)
      expect(run.output()).toContain('[worker-start] worker exited unexpectedly (killed by SIGKILL); restarting in 0.5 s')
      const [, second] = pids()
      expect(second).not.toBe(first)
      expect(alive(second!)).toBe(true)

      run.child.kill('SIGINT')
      expect(await run.exited).toBe(0)
      await waitFor(async () => !alive(second!) || null, 'the worker to have stopped', 10_000)
    } finally {
      run.child.kill('SIGKILL')
      for (const pid of pids()) if (alive(pid)) process.kill(pid, 'SIGKILL')
    }
  })

  test('a worker that dies 5 times within a minute is left down, and the command ends with exit code 1', async () => {
    const run = runWorkerCommand({ DATABASE_URL: t.url, MARKET_DATA_SOURCE: 'simulated', WORKER_HEARTBEAT_MS: '500' })
    onTestFailed(() => console.log(run.output()))
    const pids = () => [...run.output().matchAll(/\[worker-start\] worker started \(pid (\d+)\)/g)].map((m) => Number(m[1]))
    try {
      for (let kill = 1; kill <= 5; kill++) {
        const pid = await waitFor(async () => pids()[kill - 1], `worker start number ${kill}`, 30_000)
        process.kill(pid, 'SIGKILL')
      }
      expect(await run.exited).toBe(1)
      expect(run.output()).toContain('[worker-start] worker crashed 5 times in 60 s; leaving it down — see the log above; restart npm run worker when fixed')
      expect(pids()).toHaveLength(5)
    } finally {
      run.child.kill('SIGKILL')
      for (const pid of pids()) if (alive(pid)) process.kill(pid, 'SIGKILL')
    }
  })

  test('without DATABASE_URL it says so once and exits 1, starting nothing', async () => {
    const run = runWorkerCommand({ MARKET_DATA_SOURCE: 'simulated' })
    expect(await run.exited).toBe(1)
    expect(run.output().trim()).toBe('[worker-start] DATABASE_URL is not set: point it at the database the web app uses')
  })
})

import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { expect, test } from 'vitest'
import { isPortFree } from '@/lib/db/embedded-postgres'
import { processAlive as alive } from '../../support/process-alive'
import { waitFor } from '../../support/wait-for'

const ROOT = path.resolve(import.meta.dirname, '../../..')

test('the embedded server stops when the process that started it is killed with -9, so the next start finds its port and data free', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tradeloop-pg-orphan-'))
  // A stand-in for npm start: starts the server as start.ts does, says when it is up, then waits.
  const code = `
    import { startEmbeddedPostgresOnRandomPort } from '@/lib/db/embedded-postgres'
    const db = await startEmbeddedPostgresOnRandomPort({ dataDir: ${JSON.stringify(dir)}, from: 26000, span: 2000, quiet: true })
    console.log(JSON.stringify({ port: db.port, clusterDir: db.clusterDir }))
    setInterval(() => {}, 1000)
  `
  const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  let postmaster = 0
  try {
    const started = await new Promise<{ port: number; clusterDir: string }>((resolve, reject) => {
      parent.stdout!.once('data', (d) => resolve(JSON.parse(String(d))))
      parent.once('exit', (c) => reject(new Error(`the stand-in exited (${c}) before the server was up`)))
    })
    postmaster = Number((await readFile(path.join(started.clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0])
    expect(alive(postmaster)).toBe(true)
    expect(await isPortFree(started.port)).toBe(false)

    parent.kill('SIGKILL')
    await waitFor(async () => !alive(postmaster) || null, 'the orphaned server to stop', 20_000)
    expect(await isPortFree(started.port)).toBe(true)
  } finally {
    parent.kill('SIGKILL')
    if (postmaster && alive(postmaster)) process.kill(postmaster, 'SIGKILL')
    await rm(dir, { recursive: true, force: true })
  }
})

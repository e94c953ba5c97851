import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { expect, test } from 'vitest'
import { embeddedDatabaseUrl, embeddedPassword, isPortFree, startEmbeddedPostgres } from '@/lib/db/embedded-postgres'
import { waitForDatabase } from '@/lib/db/wait-for-database'

test('waits while the database is down and returns once it is up; a wrong password fails at once', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tradeloop-wait-db-'))
  let port = 0
  do port = 44000 + Math.floor(Math.random() * 1000)
  while (!(await isPortFree(port)))
  const url = embeddedDatabaseUrl(port, embeddedPassword(dir), 'postgres')
  const log: string[] = []
  let done = false
  const waiting = waitForDatabase(url, { log: (m) => log.push(m), retryMs: 100, logEveryMs: 60_000 }).then(() => (done = true))

  await new Promise((r) => setTimeout(r, 500))
  expect(done).toBe(false)
  expect(log).toHaveLength(1) // said once, not on every try
  expect(log[0]).toMatch(/^waiting for the database \(.*ECONNREFUSED/)

  const db = await startEmbeddedPostgres({ dataDir: dir, port, quiet: true })
  try {
    await waiting
    expect(log.at(-1)).toBe('database reachable again')
    const wrong = await waitForDatabase(embeddedDatabaseUrl(port, 'not-the-password', 'postgres'), { log: () => {}, retryMs: 100 }).catch((e: { code?: string }) => e.code)
    expect(wrong).toBe('28P01')
  } finally {
    await db.stop()
    await rm(dir, { recursive: true, force: true })
  }
}, 60_000)

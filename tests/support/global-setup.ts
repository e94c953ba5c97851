import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { startEmbeddedPostgresOnRandomPort } from '@/lib/db/embedded-postgres'
import { applyMigrations } from '@/lib/db/migrations'
import { databaseUrl } from '@/lib/db/scratch-database'

declare module 'vitest' {
  export interface ProvidedContext {
    templateDbUrl: string
  }
}

/**
 * One real PostgreSQL for the whole run, in a temp dir, with a migrated template database.
 * Each test file clones the template (CREATE DATABASE ... TEMPLATE), which takes milliseconds.
 * Every test project (see vitest.config.ts) runs this setup; they share the one server (kept on
 * globalThis, which both see), stopped when the last of them tears down.
 */
export default async function setup(project: TestProject) {
  const shared = globalThis as { tradeloopTestPg?: { started: Promise<{ url: string; stop(): Promise<void> }>; users: number } }
  shared.tradeloopTestPg ??= { started: startTemplate(), users: 0 }
  const entry = shared.tradeloopTestPg
  entry.users++
  const pg = await entry.started
  project.provide('templateDbUrl', databaseUrl(pg.url, 'template_tradeloop'))
  return async () => {
    if (--entry.users > 0) return
    delete shared.tradeloopTestPg
    await pg.stop()
  }
}

async function startTemplate(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tradeloop-test-pg-'))
  const pg = await startEmbeddedPostgresOnRandomPort({ dataDir: dir, from: 55000, span: 5000, dbName: 'template_tradeloop', quiet: true })
  await applyMigrations(pg.url)
  return {
    url: pg.url,
    async stop() {
      await pg.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

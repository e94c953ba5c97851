import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { startEmbeddedPostgres } from '@/lib/db/embedded-postgres'
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
 */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tradeloop-test-pg-'))
  // A random port, tried again on collision (several test runs may share a machine).
  let pg: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined
  for (let attempt = 1; !pg; attempt++) {
    const port = 55000 + Math.floor(Math.random() * 5000)
    try {
      pg = await startEmbeddedPostgres({ dataDir: dir, port, dbName: 'template_tradeloop', quiet: true })
    } catch (e) {
      if (attempt >= 5 || !/already in use/.test((e as Error).message)) throw e
    }
  }
  await applyMigrations(pg.url)
  project.provide('templateDbUrl', databaseUrl(pg.url, 'template_tradeloop'))
  return async () => {
    await pg.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

import { mkdtemp, rm, stat, unlink } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { expect, test } from 'vitest'
import { embeddedDatabaseUrl, embeddedPassword, startEmbeddedPostgresOnRandomPort, startEmbeddedPostgres } from '@/lib/db/embedded-postgres'

/** Whether a client on this machine gets in over TCP with `password`; the PostgreSQL error code when not. */
async function tcpLogin(port: number, password: string): Promise<true | string> {
  const c = new pg.Client({ connectionString: embeddedDatabaseUrl(port, password, 'postgres') })
  c.on('error', () => {})
  try {
    await c.connect()
    return true
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).message
  } finally {
    await c.end().catch(() => {})
  }
}

test('the embedded cluster has a password of its own, readable only by the app; one made with the old fixed password gets one at its next start', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tradeloop-pg-password-'))
  let db = await startEmbeddedPostgresOnRandomPort({ dataDir: dir, from: 47000, span: 3000, quiet: true })
  try {
    const password = embeddedPassword(dir)
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect((await stat(path.join(dir, 'pg-password'))).mode & 0o777).toBe(0o600)
    expect(await tcpLogin(db.port, password)).toBe(true)
    expect(await tcpLogin(db.port, 'tradeloop-local')).toBe('28P01') // the password in the source opens nothing

    // A cluster from before: the old password, and no password file.
    const c = new pg.Client({ connectionString: db.url })
    await c.connect()
    await c.query(`ALTER ROLE tradeloop PASSWORD 'tradeloop-local'`)
    await c.end()
    await db.stop()
    await unlink(path.join(dir, 'pg-password'))

    const restarted = await startEmbeddedPostgres({ dataDir: dir, port: db.port, quiet: true })
    db = { ...restarted, port: db.port }
    const fresh = embeddedPassword(dir)
    expect(fresh).not.toBe(password)
    expect(await tcpLogin(db.port, fresh)).toBe(true)
    expect(await tcpLogin(db.port, 'tradeloop-local')).toBe('28P01')
  } finally {
    await db.stop()
    await rm(dir, { recursive: true, force: true })
  }
}, 60_000)

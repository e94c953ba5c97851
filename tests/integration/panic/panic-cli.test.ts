import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { createDb } from '@/lib/db/client'
import { isPortFree, startEmbeddedPostgres, startEmbeddedPostgresOnRandomPort, type EmbeddedDatabase } from '@/lib/db/embedded-postgres'
import { applyMigrations } from '@/lib/db/migrations'
import { createPanicWorld, seedPrices, type PanicWorld } from './panic-world'

const ROOT = path.resolve(import.meta.dirname, '../../..')
const TSX = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs')

/** Runs `npm run panic -- <args>` as a separate process (no web app anywhere). */
function runCli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env }
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k]
    const child = spawn(process.execPath, [TSX, 'scripts/panic.ts', ...args], { cwd: ROOT, env: childEnv })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.on('error', reject)
    child.on('exit', (code) => resolve({ code, out, err }))
  })
}

let w: PanicWorld | undefined
afterEach(async () => {
  await w?.drop()
  w = undefined
})

describe('npm run panic (against DATABASE_URL)', () => {
  test('without --yes it only shows what it would do; with --yes it flattens, prints the table, exits 0', async () => {
    w = await createPanicWorld()
    const { db, alpha, beta } = w
    const a = await w.open(alpha, 'BTC/USDT', 'LONG', '0.01')
    const b = await w.open(beta, 'ETH/USDT', 'SHORT', '0.5')
    await w.open(beta, 'SOL/USDT', 'LONG', '4', '120') // a resting limit entry
    const env = { DATABASE_URL: w.t.url }

    const dry = await runCli([], env)
    expect(dry.err).toBe('')
    expect(dry.code).toBe(0)
    expect(dry.out).toContain('PANIC dry run for every account of pat@example.com')
    expect(dry.out).toContain('cancel 1 open order(s)')
    expect(dry.out).toContain('close 2 position(s) at market')
    expect(dry.out).toContain('Nothing has been done. To do it, run the same command with --yes')
    expect(await db.panicRun.count()).toBe(0)
    expect((await db.exchangeAccount.findMany()).some((x) => x.halted)).toBe(false)
    expect(await db.position.count({ where: { status: 'MONITORING' } })).toBe(2)

    const run = await runCli(['--yes'], env)
    expect(run.err).toBe('')
    expect(run.code).toBe(0)
    expect(run.out).toMatch(/Alpha\s+BTC\/USDT\s+LONG\s+CLOSED\s+1\s+60000/)
    expect(run.out).toMatch(/Beta\s+ETH\/USDT\s+SHORT\s+CLOSED\s+1\s+3001/)
    expect(run.out).toMatch(/SOL\/USDT\s+tl-e-\S+\s+CANCELED/)
    expect(run.out).toContain('Everything in scope is flat.')
    expect(await db.position.count({ where: { status: { notIn: ['CLOSED', 'FAILED'] } } })).toBe(0)
    expect(await db.order.count({ where: { status: { in: ['NEW', 'SUBMITTED', 'PARTIALLY_FILLED'] } } })).toBe(0)
    expect((await db.exchangeAccount.findMany()).every((x) => x.halted)).toBe(true)
    const runs = await db.panicRun.findMany()
    expect(runs.map((r) => [r.requestedBy, r.status])).toEqual([
      ['pat@example.com via the command line', 'COMPLETED'],
      ['pat@example.com via the command line', 'COMPLETED'],
    ])
    expect(await db.positionEvent.count({ where: { positionId: { in: [a, b] }, type: 'PANIC_OUTCOME' } })).toBe(2)
  }, 60_000)

  test('--trader by name flattens that trader only; several users need --email; a failure exits 1', async () => {
    w = await createPanicWorld()
    const { db, alpha, beta } = w
    await w.open(alpha, 'BTC/USDT', 'LONG', '0.01')
    const betaPos = await w.open(beta, 'ETH/USDT', 'SHORT', '0.5')
    await db.user.create({ data: { email: 'other@example.com', passwordHash: 'x' } })
    const env = { DATABASE_URL: w.t.url }

    const ambiguous = await runCli(['--yes'], env)
    expect(ambiguous.code).toBe(2)
    expect(ambiguous.err).toContain('several users exist; say whose trading to stop with --email (one of: pat@example.com, other@example.com)')
    expect(await db.panicRun.count()).toBe(0)

    const one = await runCli(['--yes', '--email', 'pat@example.com', '--trader', 'Alpha'], env)
    expect(one.code).toBe(0)
    expect(one.out).toContain('PANIC: halting trader "Alpha"')
    expect((await db.trader.findUniqueOrThrow({ where: { id: alpha.id } })).status).toBe('HALTED')
    expect((await db.position.findUniqueOrThrow({ where: { id: betaPos } })).status).toBe('MONITORING')

    // No price at all for ETH (never loaded): Beta's position cannot be closed; the CLI says so and exits 1.
    await db.marketQuote.delete({ where: { symbol: 'ETH/USDT' } })
    const failing = await runCli(['--yes', '--trader', beta.id], env)
    expect(failing.code).toBe(1)
    expect(failing.out).toMatch(/Beta\s+ETH\/USDT\s+SHORT\s+FAILED\s+4\s+still open after 4 attempts: .*no market data for ETH\/USDT/)
    expect(failing.out).toContain('1 order(s)/position(s) FAILED')
    expect((await db.trader.findUniqueOrThrow({ where: { id: beta.id } })).status).toBe('HALTED')

    await seedPrices(db, 0, ['ETH/USDT'])
    const retry = await runCli(['--yes', '--trader', beta.id], env)
    expect(retry.code).toBe(0)
    expect((await db.position.findUniqueOrThrow({ where: { id: betaPos } })).status).toBe('CLOSED')
  }, 60_000)
})

describe('npm run panic (embedded database under DATA_DIR)', () => {
  test('connects to the running cluster when the app is up; starts and stops it itself when not', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tradeloop-panic-cli-'))
    const started = await startEmbeddedPostgresOnRandomPort({ dataDir: dir, from: 50000, span: 4000, quiet: true })
    const port = started.port
    let pg: EmbeddedDatabase = started
    const env = { DATABASE_URL: undefined, DATA_DIR: dir, EMBEDDED_PG_PORT: String(port) }
    try {
      await applyMigrations(pg.url)
      const db = createDb(pg.url)
      w = await createPanicWorld({ url: pg.url, db, drop: () => db.$disconnect() })
      const first = await w.open(w.alpha, 'BTC/USDT', 'LONG', '0.01')
      const second = await w.open(w.beta, 'ETH/USDT', 'SHORT', '0.5')

      // "The app is up": the cluster is running; the CLI uses it and leaves it running.
      const up = await runCli(['--yes', '--trader', 'Alpha'], env)
      expect(up.err).toBe('')
      expect(up.code).toBe(0)
      expect((await db.position.findUniqueOrThrow({ where: { id: first } })).status).toBe('CLOSED')
      expect(await isPortFree(port)).toBe(false)

      // "The app is down": the CLI starts the cluster from DATA_DIR, does its work, stops it.
      await w.drop()
      w = undefined
      await pg.stop()
      expect(await isPortFree(port)).toBe(true)
      const down = await runCli(['--yes'], env)
      expect(down.err).toBe('')
      expect(down.code).toBe(0)
      expect(down.out).toMatch(/Beta\s+ETH\/USDT\s+SHORT\s+CLOSED/)
      expect(await isPortFree(port)).toBe(true)

      pg = await startEmbeddedPostgres({ dataDir: dir, port, quiet: true })
      const check = createDb(pg.url)
      expect((await check.position.findUniqueOrThrow({ where: { id: second } })).status).toBe('CLOSED')
      await check.$disconnect()
    } finally {
      await w?.drop()
      w = undefined
      if (!(await isPortFree(port))) await pg.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})

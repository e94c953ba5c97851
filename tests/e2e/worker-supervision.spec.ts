import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { startFakeBinance, type FakeBinance } from '../support/fake-binance'
import { waitFor } from '../support/wait-for'
import { fakeMarketEnv } from './support/app-process'
import { ADMIN, signIn, useSpecApp } from './support/spec-app'

// Issue 8 (hardening), supervision: `npm start` keeps the product up when a child or its database
// dies. The real start command runs with a fast heartbeat so a dead worker shows in /api/health
// within ~1.5 s.
test.describe.configure({ mode: 'serial' })

let fake: FakeBinance
const app = useSpecApp({
  name: 'supervision',
  setUp: async () => void (fake = await startFakeBinance()),
  env: (dataDir) => fakeMarketEnv({ port: 3220, pgPortFrom: 21_400, dataDir, marketUrl: fake.url, admin: ADMIN, extra: { WORKER_HEARTBEAT_MS: '500' } }),
  tearDown: () => fake?.close(),
})

/** Pids from "[start] worker started (pid N)", in order. */
const workerPids = () => [...app.output().matchAll(/\[start\] worker started \(pid (\d+)\)/g)].map((m) => Number(m[1]))

async function api<T = Record<string, unknown>>(method: string, route: string, token: string | null, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${app.url}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as T }
}

/** The embedded database's postmaster: the first line of its lock file, in the cluster under DATA_DIR. */
function postmasterPid(): number {
  const pid = Number(readFileSync(path.join(app.env.DATA_DIR!, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0])
  expect(pid).toBeGreaterThan(0)
  return pid
}

/** 0.01 BTC long at market, its stop at 59000 (the fake's price starts at 60000). */
const openLongBtc = (token: string, traderId: string) =>
  api<{ position: { id: string; status: string } }>('POST', '/api/v1/positions', token, {
    traderId,
    symbol: 'BTC/USDT',
    side: 'LONG',
    sizeMode: 'BASE',
    size: '0.01',
    entryType: 'MARKET',
    stopLoss: '59000',
  })

interface HealthBody {
  status: string
  database: { ok: boolean }
  worker: { ok: boolean }
  marketData: { ok: boolean }
}
const health = () => api<HealthBody>('GET', '/api/health', null)

/** Polls /api/health every 200 ms until stopped; any answer other than 200 (or none) is kept. */
function watchWebApp() {
  const failures: string[] = []
  const workerStates: boolean[] = []
  let answered = 0
  let running = true
  const done = (async () => {
    while (running) {
      try {
        const h = await health()
        answered++
        workerStates.push(h.body.worker.ok)
        if (h.status !== 200) failures.push(`HTTP ${h.status}: ${JSON.stringify(h.body)}`)
      } catch (e) {
        failures.push(`no answer: ${(e as Error).message}`)
      }
      await new Promise((r) => setTimeout(r, 200))
    }
  })()
  return {
    failures,
    workerStates,
    answered: () => answered,
    async stop() {
      running = false
      await done
    },
  }
}

test('a worker killed with -9 is restarted; the stop crossed while it was down executes once; the web app answers throughout', async ({ page }) => {
  const { body: issued } = await api<{ token: string }>('POST', '/api/v1/auth/token', null, ADMIN)
  const token = issued.token
  expect(token).toBeTruthy()
  const trader = await api<{ id: string }>('POST', '/api/v1/traders', token, {
    name: 'Supervised',
    quoteCurrency: 'USDT',
    startingBalance: '10000',
    watchlist: ['BTC/USDT'],
    autoTrade: false, // only the stop may trade here
  })
  expect(trader.status).toBe(201)
  // New orders are refused until the worker has fresh quotes.
  await waitFor(async () => (await health()).body.marketData.ok, 'fresh market data', 60_000)
  const opened = await openLongBtc(token, trader.body.id)
  expect(opened.status, JSON.stringify(opened.body)).toBe(201)
  const positionId = opened.body.position.id
  expect(opened.body.position.status).toBe('MONITORING')

  const web = watchWebApp()
  const [firstPid] = workerPids()
  expect(firstPid).toBeGreaterThan(0)

  // Freeze the worker first, so "down" lasts as long as the test needs (a killed one is back
  // within seconds): its heartbeat stops, health and the dashboard say so, and the price
  // crosses the stop while nothing is watching.
  process.kill(firstPid, 'SIGSTOP')
  await expect.poll(async () => (await health()).body.worker.ok, { timeout: 10_000 }).toBe(false)
  fake.setPrice('BTC/USDT', '58000.00', '58000.01')
  await signIn(page, app)
  await expect(page.getByText('Worker down')).toBeVisible({ timeout: 20_000 })
  // No tick arrives while the worker is stopped, yet the form has the last stored price, marked
  // as such; and having it does not make the worker look alive.
  await expect(page.getByTestId('form-quote')).toHaveText(/^last stored: bid 60,000(\.00)? · ask 60,000\.01$/)
  await expect(page.getByText('Worker down')).toBeVisible()
  await page.screenshot({ path: 'test-results/e2e/screenshots/supervision-worker-down.png', fullPage: true })
  const stillOpen = await api<{ position: { status: string } }>('GET', `/api/v1/positions/${positionId}`, token)
  expect(stillOpen.body.position.status).toBe('MONITORING')

  const killedAt = Date.now()
  process.kill(firstPid, 'SIGKILL')
  await expect.poll(() => app.output(), { timeout: 10_000 }).toContain('[start] worker exited unexpectedly (killed by SIGKILL); restarting in 0.5 s')
  const secondPid = await waitFor(async () => workerPids()[1], 'the supervisor to restart the worker')
  expect(secondPid).not.toBe(firstPid)

  // The restarted worker loads the position at start and executes the crossed stop by itself.
  await expect
    .poll(async () => (await api<{ position: { status: string } }>('GET', `/api/v1/positions/${positionId}`, token)).body.position.status, { timeout: 30_000 })
    .toBe('CLOSED')
  // Worker start is a few seconds (tsx, connections, reconciliation); more on a busy 2-core machine.
  expect(Date.now() - killedAt).toBeLessThan(30_000)
  await expect.poll(async () => (await health()).body.worker.ok, { timeout: 10_000 }).toBe(true)
  await expect(page.getByText('Worker down')).toHaveCount(0, { timeout: 20_000 })

  // Exactly once, even after a few more quotes below the stop.
  await new Promise((r) => setTimeout(r, 2000))
  const detail = await api<{ fills: { side: string }[] }>('GET', `/api/v1/positions/${positionId}`, token)
  const orders = await api<{ orders: { purpose: string; status: string }[] }>('GET', `/api/v1/orders?positionId=${positionId}`, token)
  expect(orders.body.orders.map((o) => `${o.purpose} ${o.status}`).sort()).toEqual(['ENTRY FILLED', 'STOP_LOSS FILLED'])
  expect(detail.body.fills.map((f) => f.side)).toEqual(['BUY', 'SELL'])

  await web.stop()
  expect(web.failures).toEqual([])
  expect(web.answered()).toBeGreaterThan(10)
  expect(web.workerStates).toContain(false)
  expect(web.workerStates.at(-1)).toBe(true)
})

test('the database killed with -9 is restarted; the API answers 503, never 500, meanwhile; positions and the worker carry on', async () => {
  const token = (await api<{ token: string }>('POST', '/api/v1/auth/token', null, ADMIN)).body.token
  const trader = await api<{ id: string }>('POST', '/api/v1/traders', token, {
    name: 'Outlives its database',
    quoteCurrency: 'USDT',
    startingBalance: '10000',
    watchlist: ['BTC/USDT'],
    autoTrade: false,
  })
  expect(trader.status).toBe(201)
  fake.setPrice('BTC/USDT', '60000.00', '60000.01')
  // The first test left the price under 59000: the feed's next poll brings it back up.
  await expect.poll(async () => (await api<{ ask?: string }>('GET', '/api/v1/markets/BTC-USDT/quote', token)).body.ask, { timeout: 30_000 }).toBe('60000.01')
  const opened = await openLongBtc(token, trader.body.id)
  expect(opened.status, JSON.stringify(opened.body)).toBe(201)
  const positionId = opened.body.position.id

  // Every answer the API gives while the database goes and comes back.
  const answers: string[] = []
  let polling = true
  const poller = (async () => {
    while (polling) {
      const res = await api<{ error?: { code: string } }>('GET', '/api/v1/positions', token).catch((e: Error) => ({ status: 0, body: { error: { code: e.message } } }))
      answers.push(res.status === 200 ? '200' : `${res.status} ${res.body.error?.code}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  })()

  process.kill(postmasterPid(), 'SIGKILL')
  await expect.poll(() => app.output(), { timeout: 10_000 }).toContain('[start] database exited unexpectedly (killed by SIGKILL); restarting in 0.5 s')
  await expect.poll(() => app.output(), { timeout: 30_000 }).toContain('[start] database started again')
  await expect.poll(async () => (await health()).body, { timeout: 30_000 }).toMatchObject({ database: { ok: true }, worker: { ok: true }, marketData: { ok: true } })
  polling = false
  await poller

  expect(answers).toContain('503 DATABASE_UNAVAILABLE')
  expect(answers.filter((a) => a !== '200' && a !== '503 DATABASE_UNAVAILABLE')).toEqual([])
  expect(answers.at(-1)).toBe('200')
  const kept = await api<{ position: { status: string } }>('GET', `/api/v1/positions/${positionId}`, token)
  expect(kept.body.position.status).toBe('MONITORING')

  // The worker, restarted against the new server, still guards the stop: once.
  fake.setPrice('BTC/USDT', '58000.00', '58000.01')
  await expect
    .poll(async () => (await api<{ position: { status: string } }>('GET', `/api/v1/positions/${positionId}`, token)).body.position.status, { timeout: 30_000 })
    .toBe('CLOSED')
  const orders = await api<{ orders: { purpose: string; status: string }[] }>('GET', `/api/v1/orders?positionId=${positionId}`, token)
  expect(orders.body.orders.map((o) => `${o.purpose} ${o.status}`).sort()).toEqual(['ENTRY FILLED', 'STOP_LOSS FILLED'])
})

test('an open dashboard says "Database unreachable" while the database is away, not "Worker down", and stops saying it once it is back', async ({ page }) => {
  await signIn(page, app)
  await expect(page.getByTestId('market-status')).toContainText('Worker: running')
  // What the page's own requests get meanwhile: a 503 says to come back, a 500 would be a bug of ours.
  const serverErrors: string[] = []
  page.on('response', (r) => void (r.status() >= 500 && r.status() !== 503 && serverErrors.push(`${r.status()} ${r.url()}`)))
  // Held away: npm start's supervisor (the web app's parent) is stopped, so it cannot start the database again yet.
  const webPid = [...app.output().matchAll(/\[start\] web started \(pid (\d+)\)/g)].map((m) => Number(m[1])).at(-1)!
  const supervisorPid = Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(webPid)], { encoding: 'utf8' }).trim())
  expect(supervisorPid).toBeGreaterThan(1)
  process.kill(supervisorPid, 'SIGSTOP')
  try {
    process.kill(postmasterPid(), 'SIGKILL')
    // The page asks for health again once the quotes stop (the stale limit, 10 s).
    await expect(page.getByTestId('database-down')).toBeVisible({ timeout: 30_000 })
    await expect(page.getByTestId('database-down')).toContainText('The start command restarts its own database on its own')
    await expect(page.getByText('Worker down')).toHaveCount(0)
    await expect(page.getByTestId('market-status')).toContainText('Worker: unknown')
    await page.screenshot({ path: 'test-results/e2e/screenshots/supervision-database-down.png', fullPage: true })
  } finally {
    process.kill(supervisorPid, 'SIGCONT')
  }
  // The live stream came back by itself (an EventSource refused with a 503 would have given up).
  await expect(page.getByTestId('database-down')).toHaveCount(0, { timeout: 60_000 })
  await expect(page.getByTestId('market-status')).toContainText('Worker: running')
  await expect(page.getByText('Live updates off')).toHaveCount(0)
  expect(serverErrors).toEqual([])
})

test('Ctrl-C stops everything in order, with no error or stack trace', async () => {
  const before = app.output().length
  expect(await app.stop()).toBe(0)
  const tail = app.output().slice(before)
  expect(tail).toContain('[start] stopping…')
  expect(tail).toContain('[start] stopped')
  expect(tail).not.toMatch(/Error:|^\s+at .+:\d+:\d+\)?$|terminating connection|Unhandled|exited unexpectedly/m)
})

test('a worker that crashes 5 times within a minute is left down; the web app, database and panic button keep working', async () => {
  await app.start()
  const token = (await api<{ token: string }>('POST', '/api/v1/auth/token', null, ADMIN)).body.token
  await waitFor(async () => (await health()).body.worker.ok, 'the worker to report')

  for (let kill = 1; kill <= 5; kill++) {
    const pid = await waitFor(async () => workerPids()[kill - 1], `worker start number ${kill}`, 30_000)
    process.kill(pid, 'SIGKILL')
  }
  await expect
    .poll(() => app.output(), { timeout: 10_000 })
    .toContain('[start] worker crashed 5 times in 60 s; leaving it down — see the log above; restart npm start when fixed')
  const output = app.output()
  // Backoff between the restarts, doubling.
  for (const delay of ['0.5', '1', '2', '4']) expect(output).toContain(`restarting in ${delay} s`)

  // Left down: no sixth start, while the web app and database keep serving.
  await new Promise((r) => setTimeout(r, 3000))
  expect(workerPids()).toHaveLength(5)
  const h = await health()
  expect(h.status).toBe(200)
  expect(h.body.database.ok).toBe(true)
  expect(h.body.worker.ok).toBe(false)
  const panic = await api('POST', '/api/v1/panic', token, { confirm: true })
  expect(panic.status).toBe(200)
})

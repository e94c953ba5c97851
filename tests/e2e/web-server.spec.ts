import http from 'node:http'
import { expect, test } from '@playwright/test'
import { startFakeBinance, type FakeBinance } from '../support/fake-binance'
import { waitFor } from '../support/wait-for'
import { fakeMarketEnv } from './support/app-process'
import { ADMIN, signIn, useSpecApp } from './support/spec-app'

// The production web server (scripts/web-server.ts) as npm start runs it. It answers
// `POST /api/v1/positions` and TradingView alerts (those exact paths) from the routes' compiled
// handlers without Next's router (scripts/web/direct-routes.ts); the same paths with a query
// string still go through Next, and every answer must be the same both ways. Methods Next cannot serve are refused in
// front of it (scripts/web/unsupported-method.ts).
test.describe.configure({ mode: 'serial' })

let fake: FakeBinance
const app = useSpecApp({
  name: 'web-server',
  setUp: async () => void (fake = await startFakeBinance()),
  // Warned below more free space than any disk here has: the database's disk shows as low.
  env: (dataDir) => fakeMarketEnv({ port: 3271, pgPortFrom: 23_500, dataDir, marketUrl: fake.url, admin: ADMIN, extra: { DISK_LOW_FREE_MB: '100000000' } }),
  tearDown: () => fake?.close(),
})

const DIRECT = '/api/v1/positions'
const THROUGH_NEXT = '/api/v1/positions?through=next'
const SECURITY_HEADERS = ['content-security-policy', 'x-frame-options', 'x-content-type-options', 'referrer-policy']

interface Answer {
  status: number
  body: Record<string, unknown>
  headers: Headers
}

async function send(path: string, init: { method?: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  const res = await fetch(`${app.url}${path}`, { method: init.method ?? 'POST', headers: init.headers, body: init.body })
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers }
}

let token: string
let traderId: string
const open = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ traderId, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000', ...over })

test.beforeAll(async () => {
  const issued = await send('/api/v1/auth/token', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) })
  token = issued.body.token as string
  const trader = await send('/api/v1/traders', {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: 'Direct', quoteCurrency: 'USDT', startingBalance: '100000', watchlist: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'], autoTrade: false }),
  })
  expect(trader.status).toBe(201)
  traderId = trader.body.id as string
  // New orders are refused until the worker has fresh quotes.
  await waitFor(async () => ((await send('/api/health', { method: 'GET' })).body.marketData as { ok: boolean }).ok, 'fresh market data', 60_000)
})

test('the web process says it answers the route directly', () => {
  expect(app.output()).toContain(`[web] listening on port 3271 (directly: POST ${DIRECT}, POST /api/webhooks/tradingview/:traderId)`)
  expect(app.output()).not.toContain('served through Next instead of directly')
})

test('refusals are the same directly and through Next: status, body and security headers', async () => {
  const bearer = () => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` })
  const cases: { label: string; headers: Record<string, string>; body: string; status: number }[] = [
    { label: 'no credentials', headers: { 'content-type': 'application/json' }, body: open(), status: 401 },
    { label: 'a revoked-looking token', headers: { 'content-type': 'application/json', authorization: 'Bearer tl_nope' }, body: open(), status: 401 },
    { label: 'malformed JSON', headers: bearer(), body: '{"traderId":', status: 400 },
    { label: 'no stop loss', headers: bearer(), body: open({ stopLoss: undefined }), status: 400 },
    { label: 'a symbol off the watchlist', headers: bearer(), body: open({ symbol: 'XRP/USDT' }), status: 400 },
    { label: 'a stop on the wrong side', headers: bearer(), body: open({ stopLoss: '61000' }), status: 400 },
    { label: 'a trader that does not exist', headers: bearer(), body: open({ traderId: 'cmnotatrader0000000000000' }), status: 404 },
  ]
  for (const c of cases) {
    const direct = await send(DIRECT, { headers: c.headers, body: c.body })
    const viaNext = await send(THROUGH_NEXT, { headers: c.headers, body: c.body })
    expect(direct.status, `${c.label}: ${JSON.stringify(direct.body)}`).toBe(c.status)
    expect(viaNext.status, c.label).toBe(c.status)
    expect(direct.body, c.label).toEqual(viaNext.body)
    for (const h of [...SECURITY_HEADERS, 'content-type', 'cache-control']) expect(direct.headers.get(h), `${c.label}: ${h}`).toBe(viaNext.headers.get(h))
  }
})

test('an open is the same directly and through Next; a keyed repeat replays; a browser session opens directly from this site only', async ({ page }) => {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` }
  const direct = await send(DIRECT, { headers: { ...headers, 'idempotency-key': 'direct-1' }, body: open() })
  const viaNext = await send(THROUGH_NEXT, { headers, body: open({ symbol: 'ETH/USDT', size: '0.2', stopLoss: '2900' }) })
  for (const a of [direct, viaNext]) {
    expect(a.status, JSON.stringify(a.body)).toBe(201)
    const position = a.body.position as { id: string; status: string }
    expect(position.status).toBe('MONITORING')
    expect(a.headers.get('location')).toBe(`/api/v1/positions/${position.id}`)
  }
  expect(Object.keys(direct.body).sort()).toEqual(Object.keys(viaNext.body).sort())
  for (const h of [...SECURITY_HEADERS, 'content-type', 'cache-control']) expect(direct.headers.get(h), h).toBe(viaNext.headers.get(h))

  const repeat = await send(DIRECT, { headers: { ...headers, 'idempotency-key': 'direct-1' }, body: open() })
  expect(repeat.status).toBe(201)
  expect(repeat.headers.get('idempotent-replayed')).toBe('true')
  expect((repeat.body.position as { id: string }).id).toBe((direct.body.position as { id: string }).id)

  // A session cookie: refused from another origin, accepted from this one, as through Next.
  await signIn(page, app)
  const foreign = await page.request.post(`${app.url}${DIRECT}`, { headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, data: open({ symbol: 'SOL/USDT', size: '1', stopLoss: '140' }) })
  expect(foreign.status()).toBe(403)
  const own = await page.request.post(`${app.url}${DIRECT}`, { headers: { 'content-type': 'application/json', origin: app.url }, data: open({ symbol: 'SOL/USDT', size: '1', stopLoss: '140' }) })
  expect(own.status(), await own.text()).toBe(201)

  const list = await send('/api/v1/positions?state=active', { method: 'GET', headers })
  expect((list.body.positions as { symbol: string }[]).map((p) => p.symbol).sort()).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT'])
})

test('a body over 1 MiB is refused with 413 and the server goes on answering', async () => {
  const res = await fetch(`${app.url}${DIRECT}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: 'x'.repeat(1024 * 1024 + 1),
  })
  expect(res.status).toBe(413)
  expect(await res.json()).toEqual({ error: { code: 'VALIDATION', message: 'request body is larger than 1048576 bytes' } })
  expect((await send('/api/health', { method: 'GET' })).status).toBe(200)
})

test('a chunked body (no length) is a 411 on a route Next serves, and read (counted) by a direct one', async () => {
  const chunked = (path: string, body: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', authorization: `Bearer ${token}` } }, (r) => {
        let text = ''
        r.on('data', (d) => (text += d)).on('end', () => resolve({ status: r.statusCode!, body: text }))
      })
      req.on('error', reject)
      req.write(body.slice(0, 5))
      req.end(body.slice(5))
    })
  const next = await chunked('/api/v1/traders', JSON.stringify({ name: 'Chunked', quoteCurrency: 'USDT', startingBalance: '1000' }))
  expect(next.status).toBe(411)
  expect(JSON.parse(next.body)).toEqual({ error: { code: 'VALIDATION', message: 'a request body must be sent with its Content-Length (at most 1048576 bytes), not chunked' } })
  const direct = await chunked(DIRECT, '{"traderId": ')
  expect(direct.status).toBe(400)
  expect(JSON.parse(direct.body).error.message).toMatch(/JSON/)
  expect((await send('/api/health', { method: 'GET' })).status).toBe(200)
})

test('no method is a 5xx: TRACE and WebDAV methods are a JSON 405 on the API, a route without a method a JSON 405 too', async () => {
  for (const method of ['TRACE', 'PROPFIND']) {
    for (const path of [DIRECT, '/api/health', '/api/nope']) {
      const res = await new Promise<{ status: number; body: string; allow?: string }>((resolve, reject) => {
        // fetch refuses TRACE itself, so this goes over node:http.
        const req = http.request(`${app.url}${path}`, { method }, (r) => {
          let text = ''
          r.on('data', (d) => (text += d)).on('end', () => resolve({ status: r.statusCode!, body: text, allow: r.headers.allow }))
        })
        req.on('error', reject)
        req.end()
      })
      expect(res.status, `${method} ${path}`).toBe(405)
      expect(JSON.parse(res.body), `${method} ${path}`).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: `${method} is not supported by this server` } })
      expect(res.allow).toBe('GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE')
    }
  }
  const patched = await send('/api/health', { method: 'PATCH' })
  expect(patched.status).toBe(405)
  expect(patched.body).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: 'PATCH is not supported here; use GET' } })
})

test('a burst of opens through the direct route: none is a 5xx, and the user-wide limit of 10 open positions holds exactly', async () => {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` }
  // 3 positions are open from the tests above; 40 more traders, one open each, all at once.
  const traders = await Promise.all(
    Array.from({ length: 40 }, async (_, i) => {
      const t = await send('/api/v1/traders', { headers, body: JSON.stringify({ name: `Burst ${i}`, quoteCurrency: 'USDT', startingBalance: '100000', watchlist: ['BTC/USDT'], autoTrade: false }) })
      expect(t.status, JSON.stringify(t.body)).toBe(201)
      return t.body.id as string
    }),
  )
  const answers = await Promise.all(traders.map((id) => send(DIRECT, { headers, body: JSON.stringify({ traderId: id, symbol: 'BTC/USDT', side: 'LONG', sizeMode: 'BASE', size: '0.01', entryType: 'MARKET', stopLoss: '59000' }) })))
  const statuses = answers.map((a) => a.status)
  expect(statuses.filter((s) => s === 201)).toHaveLength(7)
  expect(statuses.filter((s) => s === 422)).toHaveLength(33)
  for (const a of answers.filter((x) => x.status === 422)) {
    expect((a.body.error as { message: string }).message).toBe('risk limit: user-wide max open positions (paper USDT): 10 positions are already open and at most 10 may be')
  }
  const list = await send('/api/v1/positions?state=active', { method: 'GET', headers })
  expect(list.body.positions as unknown[]).toHaveLength(10)
})

test('TradingView alerts are answered directly too, the same as through Next', async () => {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` }
  const trader = await send('/api/v1/traders', { headers, body: JSON.stringify({ name: 'Alerts', quoteCurrency: 'USDT', startingBalance: '100000', watchlist: ['BTC/USDT', 'ETH/USDT'], autoTrade: false }) })
  expect(trader.status).toBe(201)
  const id = trader.body.id as string
  const rotated = await send(`/api/v1/traders/${id}/webhook-secret`, { headers })
  expect(rotated.status).toBe(201)
  const secret = rotated.body.secret as string
  const hook = `/api/webhooks/tradingview/${id}`
  const alert = (o: Record<string, string>) => JSON.stringify({ secret, symbol: 'BINANCE:BTCUSDT', action: 'buy', size: '0.01', ...o })
  const text = { 'content-type': 'text/plain; charset=utf-8' }

  const cases: { label: string; path: string; body: string; status: number }[] = [
    { label: 'a wrong secret', path: hook, body: alert({ secret: 'whsec_wrong', id: 'w-1' }), status: 401 },
    { label: 'a trader that does not exist', path: '/api/webhooks/tradingview/cmnotatrader0000000000000', body: alert({ id: 'w-2' }), status: 404 },
    { label: 'an alert without its action', path: hook, body: JSON.stringify({ secret, symbol: 'BINANCE:BTCUSDT', id: 'w-4' }), status: 400 },
    { label: 'a symbol off the watchlist', path: hook, body: alert({ symbol: 'BINANCE:SOLUSDT', id: 'w-3' }), status: 422 },
  ]
  for (const c of cases) {
    const direct = await send(c.path, { headers: text, body: c.body })
    const viaNext = await send(`${c.path}?through=next`, { headers: text, body: c.body })
    expect(direct.status, `${c.label}: ${JSON.stringify(direct.body)}`).toBe(c.status)
    expect(viaNext.status, c.label).toBe(c.status)
    expect(direct.body, c.label).toEqual(viaNext.body)
    for (const h of [...SECURITY_HEADERS, 'content-type']) expect(direct.headers.get(h), `${c.label}: ${h}`).toBe(viaNext.headers.get(h))
  }

  const first = await send(hook, { headers: text, body: alert({ id: 'a-1' }) })
  expect(first.status, JSON.stringify(first.body)).toBe(202)
  expect(first.body.status).toBe('accepted')
  const viaNext = await send(`${hook}?through=next`, { headers: text, body: alert({ id: 'a-2', symbol: 'BINANCE:ETHUSDT', size: '0.2' }) })
  expect(viaNext.status).toBe(202)
  expect(Object.keys(first.body).sort()).toEqual(Object.keys(viaNext.body).sort())
  const repeat = await send(hook, { headers: text, body: alert({ id: 'a-1' }) })
  expect([repeat.status, repeat.body.status]).toEqual([202, 'duplicate'])
  // The signal log has the direct one with its sender's address, as through Next.
  const log = await send(`/api/v1/traders/${id}/signals`, { method: 'GET', headers })
  const signals = log.body.signals as { id: string; remoteAddr: string | null }[]
  const logged = signals.find((x) => x.id === first.body.signalId)
  expect(logged?.remoteAddr).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/)
  expect(logged?.remoteAddr).toBe(signals.find((x) => x.id === viaNext.body.signalId)?.remoteAddr)
})

test("health and the dashboard say when the database's disk is low: npm start tells the web app where its database keeps its files", async ({ page }) => {
  // The free bytes are for signed-in callers; anyone learns only that the disk is low.
  const anyone = await send('/api/health', { method: 'GET' })
  expect([anyone.status, anyone.body.status, anyone.body.disk]).toEqual([200, 'degraded', { ok: false }])
  const health = await send('/api/health', { method: 'GET', headers: { authorization: `Bearer ${token}` } })
  expect([health.status, health.body.status]).toEqual([200, 'degraded'])
  expect(health.body.disk).toEqual({ ok: false, freeBytes: expect.any(Number), lowBelowBytes: 100_000_000 * 2 ** 20 })
  expect((health.body.disk as { freeBytes: number }).freeBytes).toBeGreaterThan(0)
  await signIn(page, app)
  await expect(page.getByTestId('disk-low')).toContainText('Disk almost full')
  await expect(page.getByTestId('disk-low')).toContainText('free where the database keeps its data (warned below 100,000,000 MB)')
})

test('a live stream refused with a 502 (a proxy while the app restarts) is opened again by the page, and changes reach it again', async ({ page }) => {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` }
  // The page's first stream is answered as a reverse proxy answers while the app behind it is
  // down. An EventSource gives up for good on that answer; the page must open another by itself.
  let refused = 0
  await page.route(
    '**/api/stream',
    async (route) => {
      refused++
      await route.fulfill({ status: 502, contentType: 'text/html', body: '<html><body>502 Bad Gateway</body></html>' })
    },
    { times: 1 },
  )
  await signIn(page, app)
  const live = page.locator('[data-live-state]').first()
  // Closed for the 2 s before the page tries again, and it says so.
  await expect(live).toHaveText('Live updates off, retrying')
  await expect(live).toHaveAttribute('data-live-state', 'open', { timeout: 15_000 })
  expect(refused).toBe(1)

  // A change made now reaches the open page over the new stream, without a reload.
  const table = page.locator('table[aria-label="Open positions"]')
  const sol = table.getByRole('row').filter({ hasText: 'SOL/USDT' })
  await expect(sol).toHaveCount(1)
  const active = await send('/api/v1/positions?state=active', { method: 'GET', headers })
  const position = (active.body.positions as { id: string; symbol: string }[]).find((p) => p.symbol === 'SOL/USDT')!
  const closed = await send(`/api/v1/positions/${position.id}/close`, { headers, body: '{}' })
  expect(closed.status, JSON.stringify(closed.body)).toBe(200)
  await expect(sol).toHaveCount(0, { timeout: 15_000 })
})

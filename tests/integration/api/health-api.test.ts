import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sessionCookieFor } from '@/lib/server/auth/session-cookie'
import { createTrader } from '@/lib/server/traders/create-trader'
import { apiUser, call, closeRoutesDb, startApiDatabase } from './api-harness'

// GET /api/health as anyone may call it (an uptime monitor, a load balancer) and as a signed-in
// caller. The feed's error names a host here, as a real one can: only the signed-in see it.
const FEED_ERROR = 'fetch failed: connect ECONNREFUSED 10.1.2.3:8443 (exchange.internal.example)'
const LABEL = 'Binance spot via https://gateway.internal.example'

let t: Awaited<ReturnType<typeof startApiDatabase>>
let token: string
let cookie: string
let health: typeof import('@/app/api/health/route')

beforeAll(async () => {
  t = await startApiDatabase()
  const user = await apiUser(t, 'health-api@example.com')
  token = user.token
  const c = await sessionCookieFor({ id: user.id, email: 'health-api@example.com', name: null }, 0, false)
  cookie = `${c.name}=${c.value}`
  // A watched symbol (quotes are expected) and a worker alive whose feed fails.
  await createTrader({ db: t.db, userId: user.id, input: { name: 'Watcher', quoteCurrency: 'USDT', startingBalance: '1000', watchlist: ['BTC/USDT'] } })
  const now = new Date()
  await t.db.workerHeartbeat.create({
    data: { id: 'w1', pid: 1, host: 'worker-host-7', startedAt: now, lastSeenAt: now, feedKind: 'exchange', feedLabel: LABEL, feedError: FEED_ERROR, primary: true },
  })
  health = await import('@/app/api/health/route')
})
afterAll(async () => {
  await t?.stop()
})

const get = (o: { token?: string; headers?: Record<string, string> } = {}) => call(health.GET, 'GET', '/api/health', o)

describe('GET /api/health', () => {
  it('tells a caller without credentials the verdict and whether each part is ok, and nothing else', async () => {
    const res = await get()
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toContain('no-store')
    expect(res.body).toEqual({
      status: 'degraded',
      public: true,
      database: { ok: true },
      worker: { ok: true, count: 1 },
      marketData: { ok: false, idle: false },
      liveTrading: { enabled: false },
      disk: null,
    })
  })

  it('gives a signed-in caller (an API token) every detail, the feed error among them', async () => {
    const res = await get({ token })
    expect(res.status).toBe(200)
    expect(res.body.public).toBeUndefined()
    expect(res.body.status).toBe('degraded')
    expect(res.body.database).toMatchObject({ ok: true, latencyMs: expect.any(Number) })
    expect(res.body.worker).toMatchObject({ ok: true, count: 1, lastSeenAt: expect.any(String) })
    expect(res.body.marketData).toMatchObject({ ok: false, kind: 'exchange', label: LABEL, feedFailed: true, error: FEED_ERROR })
  })

  it('gives a signed-in browser (its session cookie) the details as well', async () => {
    const res = await get({ headers: { cookie } })
    expect(res.body.public).toBeUndefined()
    expect(res.body.marketData).toMatchObject({ label: LABEL, error: FEED_ERROR })
  })

  it('with the database down: 503, the public view to anyone, the details to a browser whose session cookie is valid', async () => {
    const url = process.env.DATABASE_URL
    process.env.DATABASE_URL = 'postgresql://nobody:nothing@127.0.0.1:1/none'
    await closeRoutesDb()
    try {
      const anyone = await get({ token })
      expect(anyone.status).toBe(503)
      expect(anyone.body).toMatchObject({ status: 'down', public: true, database: { ok: false } })
      expect(anyone.body.database.error).toBeUndefined()
      const browser = await get({ headers: { cookie } })
      expect(browser.status).toBe(503)
      expect(browser.body.public).toBeUndefined()
      expect(browser.body.database).toMatchObject({ ok: false, error: expect.any(String) })
    } finally {
      await closeRoutesDb()
      process.env.DATABASE_URL = url
    }
  })

  it('answers a bad token or a forged session with the public view, not a 401', async () => {
    for (const o of [{ token: 'tl_not-a-real-token' }, { headers: { cookie: 'tradeloop_session=forged; next-auth.session-token=forged' } }]) {
      const res = await get(o)
      expect(res.status).toBe(200)
      expect(res.body.public).toBe(true)
      expect(JSON.stringify(res.body)).not.toContain('internal.example')
    }
  })
})

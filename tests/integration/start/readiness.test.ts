import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { waitForTrading, waitForWebApp, type HealthBody } from '@/scripts/start/readiness'

// `npm start` says "ready" once trading can start: the worker reports and the watched symbols
// have prices. The wait for the web app polls a real HTTP server answering /api/health; the wait
// for trading reads health in turn (npm start reads it from the database: getHealth).
let server: Server | null = null
afterEach(async () => {
  await new Promise((r) => server?.close(r) ?? r(null))
  server = null
})

const health = (worker: boolean, market: { ok: boolean; idle?: boolean; feedFailed?: boolean; error?: string }) => ({
  status: worker && market.ok ? 'ok' : 'degraded',
  worker: { ok: worker },
  marketData: { idle: false, feedFailed: false, ...market },
})

/** Answers the bodies in order, one per read, then repeats the last; with a count of reads. */
function readsOf(bodies: HealthBody[]) {
  let n = 0
  return { read: async () => bodies[Math.min(n++, bodies.length - 1)]!, requests: () => n }
}

/** Serves the bodies in order, one per request, then repeats the last; returns its port and a request count. */
async function serveHealth(bodies: unknown[], status = 200): Promise<{ port: number; requests: () => number }> {
  let n = 0
  server = createServer((req, res) => {
    const body = bodies[Math.min(n++, bodies.length - 1)]
    res.writeHead(req.url === '/api/health' ? status : 404, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  })
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
  return { port: (server!.address() as AddressInfo).port, requests: () => n }
}

describe('waitForTrading', () => {
  it('waits for the worker, then for the first prices, and resolves with nothing missing', async () => {
    const h = readsOf([
      health(false, { ok: false, error: 'worker has never reported' }),
      health(true, { ok: false, error: 'no worker runs the market data feed yet (one takes it over within seconds)' }),
      health(true, { ok: false, error: 'no quotes received yet' }),
      health(true, { ok: false, error: 'quotes are stale (newest is 15 s old)' }),
      health(true, { ok: true }),
    ])
    expect(await waitForTrading(h.read, 10_000)).toBeNull()
    expect(h.requests()).toBe(5)
  })

  it('a fresh install watching nothing is ready as soon as the worker reports', async () => {
    const h = readsOf([health(false, { ok: false, error: 'worker has never reported' }), health(true, { ok: true, idle: true })])
    expect(await waitForTrading(h.read, 10_000)).toBeNull()
    expect(h.requests()).toBe(2)
  })

  it('a feed error is said at once: waiting does not mend a wrong exchange', async () => {
    const h = readsOf([health(true, { ok: false, error: 'no quotes received yet' }), health(true, { ok: false, feedFailed: true, error: 'fetchTicker failed: ECONNREFUSED' })])
    expect(await waitForTrading(h.read, 10_000)).toBe('market data: fetchTicker failed: ECONNREFUSED')
    expect(h.requests()).toBe(2)
  })

  it('after the time given, says what is still missing', async () => {
    const worker = readsOf([health(false, { ok: false, error: 'worker has never reported' })])
    expect(await waitForTrading(worker.read, 700)).toBe('the worker has not reported yet')
    const quotes = readsOf([health(true, { ok: false, error: 'no quotes received yet' })])
    expect(await waitForTrading(quotes.read, 700)).toBe('market data: no quotes received yet')
    expect(quotes.requests()).toBeGreaterThan(1)
  })
})

describe('waitForWebApp', () => {
  it('resolves once the app answers below 500, and names the port when it never does', async () => {
    const up = await serveHealth([health(false, { ok: false })])
    await expect(waitForWebApp(up.port, 5000)).resolves.toBeUndefined()
    await new Promise((r) => server!.close(r))
    const down = await serveHealth([{ status: 'down' }], 503)
    await expect(waitForWebApp(down.port, 700)).rejects.toThrow(`the web app did not answer on port ${down.port} within 0.7 s`)
  })
})

import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { waitForTrading, waitForWebApp } from '@/scripts/start/readiness'

// `npm start` says "ready" once trading can start: the worker reports and the watched symbols
// have prices. These drive its wait against a real HTTP server answering /api/health in turn.
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
    const h = await serveHealth([
      health(false, { ok: false, error: 'worker has never reported' }),
      health(true, { ok: false, error: 'no worker runs the market data feed yet (one takes it over within seconds)' }),
      health(true, { ok: false, error: 'no quotes received yet' }),
      health(true, { ok: false, error: 'quotes are stale (newest is 15 s old)' }),
      health(true, { ok: true }),
    ])
    expect(await waitForTrading(h.port, 10_000)).toBeNull()
    expect(h.requests()).toBe(5)
  })

  it('a fresh install watching nothing is ready as soon as the worker reports', async () => {
    const h = await serveHealth([health(false, { ok: false, error: 'worker has never reported' }), health(true, { ok: true, idle: true })])
    expect(await waitForTrading(h.port, 10_000)).toBeNull()
    expect(h.requests()).toBe(2)
  })

  it('a feed error is said at once: waiting does not mend a wrong exchange', async () => {
    const h = await serveHealth([health(true, { ok: false, error: 'no quotes received yet' }), health(true, { ok: false, feedFailed: true, error: 'fetchTicker failed: ECONNREFUSED' })])
    expect(await waitForTrading(h.port, 10_000)).toBe('market data: fetchTicker failed: ECONNREFUSED')
    expect(h.requests()).toBe(2)
  })

  it('after the time given, says what is still missing', async () => {
    const worker = await serveHealth([health(false, { ok: false, error: 'worker has never reported' })])
    expect(await waitForTrading(worker.port, 700)).toBe('the worker has not reported yet')
    await new Promise((r) => server!.close(r))
    const quotes = await serveHealth([health(true, { ok: false, error: 'no quotes received yet' })])
    expect(await waitForTrading(quotes.port, 700)).toBe('market data: no quotes received yet')
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

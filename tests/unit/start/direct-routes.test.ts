import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { MAX_BODY_BYTES } from '@/scripts/web/body-limit'
import { loadDirectRoutes, matchDirect, serveDirect } from '@/scripts/web/direct-routes'

// serveDirect over a real HTTP server, with a handler that records what it was given: the
// request the route handler sees must be the one Next would give it, and the answer the client
// gets the one the handler made, plus the security headers.
const EXTRA = [{ key: 'X-Frame-Options', value: 'SAMEORIGIN' }]
let seen: { url: string; method: string; headers: Headers; body: string; params: Record<string, string> } | null = null
let server: http.Server
let base: string

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const handler = async (request: Request, ctx: { params: Promise<Record<string, string>> }) => {
      seen = { url: request.url, method: request.method, headers: request.headers, body: await request.text(), params: await ctx.params }
      return new Response(JSON.stringify({ ok: true }), { status: 201, headers: { 'content-type': 'application/json', location: '/api/v1/positions/p1' } })
    }
    void serveDirect(req, res, { handler, params: { traderId: 't1' } }, { port: 3999, extraHeaders: EXTRA })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

/** A raw HTTP/1.1 request, so that the Host and forwarding headers are exactly the ones given. */
function post(headers: Record<string, string>, body: string | Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/api/v1/positions`, { method: 'POST', headers, agent: false }, (res) => {
      let text = ''
      res.on('data', (d) => (text += d)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('serveDirect', () => {
  test('the handler gets the method, URL, headers and body, with the x-forwarded-* headers Next fills in', async () => {
    const res = await post({ host: 'trade.example:3000', 'content-type': 'application/json', authorization: 'Bearer t' }, '{"a":1}')
    expect(res.status).toBe(201)
    expect(seen!.method).toBe('POST')
    expect(seen!.url).toBe('http://localhost:3999/api/v1/positions')
    expect(seen!.body).toBe('{"a":1}')
    expect(seen!.params).toEqual({ traderId: 't1' })
    expect(seen!.headers.get('authorization')).toBe('Bearer t')
    expect(seen!.headers.get('x-forwarded-host')).toBe('trade.example:3000')
    expect(seen!.headers.get('x-forwarded-port')).toBe('3999')
    expect(seen!.headers.get('x-forwarded-proto')).toBe('http')
    expect(seen!.headers.get('x-forwarded-for')).toBe('127.0.0.1')
  })

  test('forwarding headers a proxy sent are kept as they are', async () => {
    await post({ host: 'internal:3000', 'x-forwarded-host': 'trade.example', 'x-forwarded-proto': 'https', 'x-forwarded-port': '443', 'x-forwarded-for': '203.0.113.9' }, '{}')
    expect(seen!.headers.get('x-forwarded-host')).toBe('trade.example')
    expect(seen!.headers.get('x-forwarded-proto')).toBe('https')
    expect(seen!.headers.get('x-forwarded-port')).toBe('443')
    expect(seen!.url).toBe('https://localhost:3999/api/v1/positions')
    expect(seen!.headers.get('x-forwarded-for')).toBe('203.0.113.9')
  })

  test("the answer carries the handler's status, headers and body, the extra headers and its length", async () => {
    const res = await post({ host: 'localhost' }, '{}')
    expect(res.status).toBe(201)
    expect(res.headers.location).toBe('/api/v1/positions/p1')
    expect(res.headers['content-type']).toBe('application/json')
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN')
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength('{"ok":true}')))
    expect(JSON.parse(res.body)).toEqual({ ok: true })
  })

  test('a body over the limit is a 413 in the API error shape, the handler is not called, and the connection is closed', async () => {
    seen = null
    const res = await post({ host: 'localhost', 'content-type': 'application/json' }, Buffer.alloc(MAX_BODY_BYTES + 1, 'a'))
    expect(seen).toBeNull()
    expect(res.status).toBe(413)
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'VALIDATION', message: `request body is larger than ${MAX_BODY_BYTES} bytes` } })
    expect(res.headers.connection).toBe('close')
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN')
    // The server still answers afterwards.
    expect((await post({ host: 'localhost' }, '{}')).status).toBe(201)
  })

  test('a body of exactly the limit reaches the handler', async () => {
    const res = await post({ host: 'localhost' }, Buffer.alloc(MAX_BODY_BYTES, 'a'))
    expect(res.status).toBe(201)
    expect(seen!.body.length).toBe(MAX_BODY_BYTES)
  })

  test.each(['bad host', 'a@b', 'a/b'])('a Host header %j is passed on as it is; the URL is built from the server, as Next does', async (host) => {
    const res = await post({ host }, '{}')
    expect(res.status).toBe(201)
    expect(seen!.url).toBe('http://localhost:3999/api/v1/positions')
    expect(seen!.headers.get('x-forwarded-host')).toBe(host)
  })
})

describe('loadDirectRoutes and matchDirect', () => {
  let dir: string
  beforeAll(async () => void (dir = await mkdtemp(path.join(os.tmpdir(), 'direct-routes-'))))
  afterAll(() => rm(dir, { recursive: true, force: true }))

  test('a build without the route modules leaves the routes to Next and says why', async () => {
    const { handlers, skipped } = await loadDirectRoutes(dir)
    expect(handlers).toEqual([])
    expect(skipped).toHaveLength(2)
    expect(skipped[0]).toMatch(/^POST \/api\/v1\/positions \(Cannot find module '.*route\.js'/)
    expect(skipped[1]).toMatch(/^POST \/api\/webhooks\/tradingview\/:traderId \(Cannot find module '.*route\.js'/)
  })

  test('only the exact paths match, with their id; anything else is left to Next', async () => {
    const open = async () => new Response(null)
    const webhook = async () => new Response(null)
    const { DIRECT_ROUTES } = await import('@/scripts/web/direct-routes')
    const handlers = [{ route: DIRECT_ROUTES[0]!, handler: open }, { route: DIRECT_ROUTES[1]!, handler: webhook }]
    expect(matchDirect(handlers, 'POST', '/api/v1/positions')).toEqual({ handler: open, params: {} })
    expect(matchDirect(handlers, 'POST', '/api/webhooks/tradingview/cmabc_1-2')).toEqual({ handler: webhook, params: { traderId: 'cmabc_1-2' } })
    for (const [method, url] of [
      ['GET', '/api/v1/positions'],
      ['POST', '/api/v1/positions?x=1'],
      ['POST', '/api/v1/positions/'],
      ['POST', '/api/v1/positions/abc'],
      ['POST', '/api/webhooks/tradingview/'],
      ['POST', '/api/webhooks/tradingview/a%20b'],
      ['POST', '/api/webhooks/tradingview/abc/'],
      ['POST', '/api/webhooks/tradingview/abc?x=1'],
      ['POST', `/api/webhooks/tradingview/${'a'.repeat(65)}`],
      ['PUT', '/api/webhooks/tradingview/abc'],
    ]) expect(matchDirect(handlers, method, url), `${method} ${url}`).toBeNull()
  })
})

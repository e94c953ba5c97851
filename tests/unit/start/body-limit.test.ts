import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { BODY_TOO_LARGE, LENGTH_REQUIRED, MAX_BODY_BYTES, refuseDeclaredOversize, refuseUndeclaredLength } from '@/scripts/web/body-limit'

// The web server's length checks in front of Next, over a real HTTP server; what passes reaches
// the next handler, which reads the body and says how much it got.
let server: http.Server
let port: number
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (refuseDeclaredOversize(req, res, []) || refuseUndeclaredLength(req, res, [])) return
    let n = 0
    req.on('data', (d: Buffer) => (n += d.length)).on('end', () => res.writeHead(200).end(`read ${n}`))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  port = (server.address() as AddressInfo).port
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

function post(path: string, body: Buffer, chunked = false): Promise<{ status: number; body: string; connection?: string }> {
  return new Promise((resolve, reject) => {
    const headers = chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(body.length) }
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers, agent: false }, (res) => {
      let text = ''
      res.on('data', (d) => (text += d)).on('end', () => resolve({ status: res.statusCode!, body: text, connection: res.headers.connection }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

test('an API body declared over the limit is a 413 in the API error shape, unread, on a closed connection', async () => {
  const res = await post('/api/v1/traders', Buffer.alloc(MAX_BODY_BYTES + 1))
  expect(res.status).toBe(413)
  expect(JSON.parse(res.body)).toEqual({ error: { code: 'VALIDATION', message: BODY_TOO_LARGE } })
  expect(res.connection).toBe('close')
})

test.each([
  ['an API body of exactly the limit', '/api/v1/traders', MAX_BODY_BYTES, false],
  ['a page (server actions) over it', '/traders', MAX_BODY_BYTES + 1, false],
  ['a chunked page body', '/traders', MAX_BODY_BYTES + 1, true],
] as const)('%s goes on', async (_label, path, size, chunked) => {
  const res = await post(path, Buffer.alloc(size), chunked)
  expect(res.status).toBe(200)
  expect(res.body).toBe(`read ${size}`)
})

test.each([
  ['over the limit', MAX_BODY_BYTES + 1],
  ['of a few bytes', 10],
] as const)('a chunked API body (no length declared) %s is a 411 in the API error shape, on a closed connection', async (_label, size) => {
  const res = await post('/api/v1/traders', Buffer.alloc(size), true)
  expect(res.status).toBe(411)
  expect(JSON.parse(res.body)).toEqual({ error: { code: 'VALIDATION', message: LENGTH_REQUIRED } })
  expect(res.connection).toBe('close')
})

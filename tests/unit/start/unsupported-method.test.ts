import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { refuseConnect, refuseUnsupportedMethod } from '@/scripts/web/unsupported-method'

// The web server's guard in front of Next, over a real HTTP server: what it refuses is answered
// here; what it lets through reaches the next handler (standing in for Next).
const EXTRA = [{ key: 'X-Frame-Options', value: 'SAMEORIGIN' }]
let server: http.Server
let port: number

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (refuseUnsupportedMethod(req, res, EXTRA)) return
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`next: ${req.method}`)
  })
  server.on('connect', (_req, socket) => refuseConnect(socket))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  port = (server.address() as AddressInfo).port
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

function request(method: string, path: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      let text = ''
      res.on('data', (d) => (text += d)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('refuseUnsupportedMethod', () => {
  test.each(['TRACE', 'PROPFIND', 'LOCK', 'MKCOL'])('%s on an API path: a JSON 405 with Allow and the security headers', async (method) => {
    const res = await request(method, '/api/v1/positions')
    expect(res.status).toBe(405)
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: `${method} is not supported by this server` } })
    expect(res.headers['content-type']).toBe('application/json')
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE')
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN')
  })

  test('TRACE on a page: a plain-text 405', async () => {
    const res = await request('TRACE', '/positions')
    expect(res.status).toBe(405)
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(res.body).toBe('TRACE is not supported by this server\n')
  })

  test.each(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'])('%s goes on to Next', async (method) => {
    const res = await request(method, '/api/v1/positions')
    expect(res.status).toBe(200)
    if (method !== 'HEAD') expect(res.body).toBe(`next: ${method}`)
  })
})

test('CONNECT is answered 405 and the connection closed', async () => {
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'))
    let text = ''
    socket.on('data', (d) => (text += d)).on('end', () => resolve(text)).on('error', reject)
  })
  expect(reply).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/)
  expect(reply).toContain('\r\nAllow: GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE\r\n')
  expect(reply.endsWith('\r\n\r\nCONNECT is not supported by this server\n')).toBe(true)
})

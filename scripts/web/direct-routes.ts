import type http from 'node:http'
import { createRequire } from 'node:module'
import path from 'node:path'
import { answer, type ExtraHeaders } from './answer'
import { MAX_BODY_BYTES, refuseOversize } from './body-limit'

/**
 * Routes the production web server hands straight to their compiled handler, skipping Next's
 * router. An open through Next cost the web process 3.6–3.8 ms of CPU, of which about 1.5 ms was
 * Next's own request handling around a handler that needs none of it (no rendering, cookies(),
 * caching or middleware: `proxy.ts` only sees paths holding a `%`). These are the two that come
 * in bursts: opens by API, and TradingView alerts (many fire on the same candle close). Only
 * exact paths match, an id segment being letters, digits, - or _ (ID_PATTERN): anything else
 * about the request (a query string, a trailing slash, an encoded character, another method)
 * goes through Next as before.
 */
export const DIRECT_ROUTES: readonly DirectRoute[] = [
  { method: 'POST', name: '/api/v1/positions', pattern: /^\/api\/v1\/positions$/, route: 'api/v1/positions', params: [] },
  {
    method: 'POST',
    name: '/api/webhooks/tradingview/:traderId',
    pattern: /^\/api\/webhooks\/tradingview\/([A-Za-z0-9_-]{1,64})$/,
    route: 'api/webhooks/tradingview/[traderId]',
    params: ['traderId'],
  },
]

interface DirectRoute {
  method: 'POST'
  /** As logged. */
  name: string
  /** The whole request target; its groups are `params`, in order. */
  pattern: RegExp
  /** The route's folder under app/. */
  route: string
  params: readonly string[]
}

type RouteHandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>

/** A route that was loaded, with its handler. */
export type DirectHandlers = { route: DirectRoute; handler: RouteHandler }[]

/** The loaded route `req` is for, with its path parameters; null for everything else. */
export function matchDirect(handlers: DirectHandlers, method: string | undefined, url: string | undefined) {
  if (!url) return null
  for (const h of handlers) {
    if (h.route.method !== method) continue
    const m = h.route.pattern.exec(url)
    if (m) return { handler: h.handler, params: Object.fromEntries(h.route.params.map((p, i) => [p, m[i + 1]!])) }
  }
  return null
}

/**
 * Each listed route's handler, taken from the build Next serves from (`distDir`), through Node's
 * module cache: the very module instances Next runs for every other route (one database pool,
 * one set of Prisma error classes for `instanceof`). Must be called after Next has prepared. A
 * route whose build does not have the shape expected here (another Next version) is left to
 * Next, and said so in `skipped`.
 */
export async function loadDirectRoutes(distDir: string): Promise<{ handlers: DirectHandlers; skipped: string[] }> {
  const require = createRequire(import.meta.url)
  const handlers: DirectHandlers = []
  const skipped: string[] = []
  for (const r of DIRECT_ROUTES) {
    try {
      const mod = require(path.join(distDir, 'server/app', r.route, 'route.js')) as {
        routeModule?: { ensureUserland?: () => Promise<void>; userland?: Record<string, unknown> }
      }
      await mod.routeModule?.ensureUserland?.()
      const handler = mod.routeModule?.userland?.[r.method]
      if (typeof handler !== 'function') throw new Error(`the build's route module has no ${r.method} handler where expected`)
      handlers.push({ route: r, handler: handler as RouteHandler })
    } catch (e) {
      skipped.push(`${r.method} ${r.name} (${(e as Error).message})`)
    }
  }
  return { handlers, skipped }
}

/**
 * Answers one request with its direct route's handler as Next would: the same `x-forwarded-*` request headers Next
 * fills in when absent (the client address is the socket's), the response's own headers plus
 * `extraHeaders` (next.config.js's security headers), and the handler's body, uncompressed (Next
 * leaves JSON under 8 KB uncompressed too, see jsonResponse; an open's answer is about 3 KB).
 */
export async function serveDirect(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  direct: { handler: RouteHandler; params: Record<string, string> },
  opts: { port: number; extraHeaders: ExtraHeaders },
): Promise<void> {
  const body = await readBody(req)
  if (body === null) return refuseOversize(req, res, opts.extraHeaders)
  const headers = new Headers()
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1])
  // The x-forwarded-* headers as Next fills them in when absent (base-server.ts).
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true
  const proto = headers.get('x-forwarded-proto')
  if (!headers.has('x-forwarded-host')) headers.set('x-forwarded-host', headers.get('host') ?? 'localhost')
  if (!headers.has('x-forwarded-port')) headers.set('x-forwarded-port', String(opts.port))
  if (!proto) headers.set('x-forwarded-proto', encrypted ? 'https' : 'http')
  if (!headers.has('x-forwarded-for') && req.socket.remoteAddress) headers.set('x-forwarded-for', req.socket.remoteAddress)
  // The URL as Next builds a route handler's (resolve-routes.ts): its own host name and port, never the Host header.
  const url = `${encrypted || proto?.includes('https') ? 'https' : 'http'}://localhost:${opts.port}${req.url}`
  const request = new Request(url, { method: req.method, headers, body: new Uint8Array(body) })
  const response = await direct.handler(request, { params: Promise.resolve(direct.params) })
  const out: Record<string, string | string[]> = {}
  response.headers.forEach((v, k) => (out[k] = v))
  if (response.headers.has('set-cookie')) out['set-cookie'] = response.headers.getSetCookie()
  answer(res, response.status, out, Buffer.from(await response.arrayBuffer()), opts.extraHeaders)
}

/** The whole body, or null once it passes MAX_BODY_BYTES (the rest is not read). */
function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk)
      req.off('data', onData).off('end', onEnd).pause()
      resolve(null)
    }
    const onEnd = () => resolve(Buffer.concat(chunks))
    req.on('data', onData).once('end', onEnd).once('error', reject)
  })
}

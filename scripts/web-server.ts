import http from 'node:http'
import path from 'node:path'
import next from 'next'
import { SECURITY_HEADERS } from '../next.config.js'
import { answerError } from './web/answer'
import { refuseDeclaredOversize, refuseUndeclaredLength } from './web/body-limit'
import { loadDirectRoutes, matchDirect, serveDirect } from './web/direct-routes'
import { refuseConnect, refuseUnsupportedMethod } from './web/unsupported-method'

/**
 * The production web process `npm start` runs (instead of `next start`): Next's own request
 * handler behind a plain Node HTTP server, with the routes that come in bursts answered by their
 * compiled handlers directly (see web/direct-routes.ts) and methods Next cannot serve refused
 * (web/unsupported-method.ts). Listens on PORT, all interfaces, as `next start` does.
 */
const ROOT = path.resolve(import.meta.dirname, '..')
const port = Number(process.env.PORT ?? 3000)

const app = next({ dev: false, dir: ROOT, port })
const handleByNext = app.getRequestHandler()
await app.prepare()
const { handlers, skipped } = await loadDirectRoutes(path.join(ROOT, '.next'))
for (const s of skipped) console.error(`[web] served through Next instead of directly: ${s}`)

let inFlight = 0
const server = http.createServer((req, res) => {
  if (refuseUnsupportedMethod(req, res, SECURITY_HEADERS) || refuseDeclaredOversize(req, res, SECURITY_HEADERS)) return
  const direct = matchDirect(handlers, req.method, req.url)
  if (!direct) return void (refuseUndeclaredLength(req, res, SECURITY_HEADERS) || handleByNext(req, res))
  inFlight++
  serveDirect(req, res, direct, { port, extraHeaders: SECURITY_HEADERS })
    .catch((e: unknown) => {
      // The handler maps its own errors: this is the request itself failing (a client gone
      // mid-body), or a fault of this file's, answered as handleRoute answers one.
      console.error(`[web] ${req.method} ${req.url}:`, e)
      if (res.headersSent || req.socket.destroyed) res.destroy()
      else answerError(res, 500, 'INTERNAL', 'internal server error', SECURITY_HEADERS)
    })
    .finally(() => inFlight--)
})
server.on('connect', (_req, socket) => refuseConnect(socket))
server.listen(port, () => console.log(`[web] listening on port ${port} (directly: ${handlers.map((h) => `${h.route.method} ${h.route.name}`).join(', ') || 'none'})`))

// Stops taking connections, lets direct requests already running finish (an open being sent),
// then stops Next. The supervisor kills this process if it takes longer than its stop timeout.
let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  server.close()
  server.closeIdleConnections()
  const deadline = Date.now() + 10_000
  while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  server.closeAllConnections()
  await app.close()
  process.exit(0)
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop())

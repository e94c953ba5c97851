import type http from 'node:http'
import type { Duplex } from 'node:stream'
import { answer, answerError, type ExtraHeaders } from './answer'

/**
 * The methods Next answers. Node's parser accepts more (TRACE, PROPFIND, LOCK…): Next 16 fails on
 * TRACE with a bare 500 and answers WebDAV methods on API paths with an empty 400, so those are
 * answered here instead, as a 405 in the API's error shape (plain text off the API).
 */
export const SERVED_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
const SERVED = new Set<string>(SERVED_METHODS)
const ALLOW = SERVED_METHODS.join(', ')

/** Answers a request whose method this server does not serve, and says so; false for one it serves. */
export function refuseUnsupportedMethod(req: http.IncomingMessage, res: http.ServerResponse, extra: ExtraHeaders): boolean {
  if (req.method && SERVED.has(req.method)) return false
  const message = `${req.method} is not supported by this server`
  // Nothing of the body is read: the connection is not reused for another request.
  res.shouldKeepAlive = false
  if (req.url?.startsWith('/api/')) answerError(res, 405, 'METHOD_NOT_ALLOWED', message, extra, { allow: ALLOW })
  else answer(res, 405, { 'content-type': 'text/plain; charset=utf-8', allow: ALLOW }, Buffer.from(`${message}\n`), extra)
  return true
}

/** CONNECT (a proxy tunnel) reaches Node's 'connect' event rather than the request handler; it is refused the same way. */
export function refuseConnect(socket: Duplex) {
  const body = 'CONNECT is not supported by this server\n'
  socket.end(`HTTP/1.1 405 Method Not Allowed\r\nAllow: ${ALLOW}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`)
}

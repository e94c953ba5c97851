import type http from 'node:http'
import { answerError, type ExtraHeaders } from './answer'

/** The largest request body the API takes; its largest bodies (settings, an open) are a few KB. */
export const MAX_BODY_BYTES = 1024 * 1024

export const BODY_TOO_LARGE = `request body is larger than ${MAX_BODY_BYTES} bytes`

export const LENGTH_REQUIRED = `a request body must be sent with its Content-Length (at most ${MAX_BODY_BYTES} bytes), not chunked`

/**
 * Answers 413 to an API request whose Content-Length says its body is over the limit, before
 * Next would read all of it into memory; none of it is read, and the connection is closed after
 * the answer. A chunked body declares no length: see refuseUndeclaredLength.
 */
export function refuseDeclaredOversize(req: http.IncomingMessage, res: http.ServerResponse, extra: ExtraHeaders): boolean {
  if (!req.url?.startsWith('/api/')) return false
  const declared = Number(req.headers['content-length'] ?? 0)
  if (!(declared > MAX_BODY_BYTES)) return false
  refuseOversize(req, res, extra)
  return true
}

/**
 * Answers 411 to an API request whose body comes chunked, without a length, to a route Next
 * serves: Next reads a body into memory whole, however long it runs. (The direct routes count
 * such a body as it arrives instead.) Clients send JSON with its length; none of it is read, and
 * the connection is closed after the answer.
 */
export function refuseUndeclaredLength(req: http.IncomingMessage, res: http.ServerResponse, extra: ExtraHeaders): boolean {
  if (!req.url?.startsWith('/api/') || req.headers['transfer-encoding'] === undefined) return false
  refuseUnread(req, res, 411, LENGTH_REQUIRED, extra)
  return true
}

/** The 413, on a connection that is then closed: the rest of the body is never read. */
export function refuseOversize(req: http.IncomingMessage, res: http.ServerResponse, extra: ExtraHeaders) {
  refuseUnread(req, res, 413, BODY_TOO_LARGE, extra)
}

function refuseUnread(req: http.IncomingMessage, res: http.ServerResponse, status: number, message: string, extra: ExtraHeaders) {
  res.shouldKeepAlive = false
  res.once('finish', () => req.socket.destroy())
  answerError(res, status, 'VALIDATION', message, extra)
}

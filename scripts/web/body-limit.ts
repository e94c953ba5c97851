import type http from 'node:http'
import { answerError, type ExtraHeaders } from './answer'

/** The largest request body the API takes; its largest bodies (settings, an open) are a few KB. */
export const MAX_BODY_BYTES = 1024 * 1024

export const BODY_TOO_LARGE = `request body is larger than ${MAX_BODY_BYTES} bytes`

/**
 * Answers 413 to an API request whose Content-Length says its body is over the limit, before
 * Next would read all of it into memory; none of it is read, and the connection is closed after
 * the answer. A chunked body declares no length: the direct routes count it as it arrives.
 */
export function refuseDeclaredOversize(req: http.IncomingMessage, res: http.ServerResponse, extra: ExtraHeaders): boolean {
  if (!req.url?.startsWith('/api/')) return false
  const declared = Number(req.headers['content-length'] ?? 0)
  if (!(declared > MAX_BODY_BYTES)) return false
  refuseOversize(req, res, extra)
  return true
}

/** The 413, on a connection that is then closed: the rest of the body is never read. */
export function refuseOversize(req: http.IncomingMessage, res: http.ServerResponse, extra: ExtraHeaders) {
  res.shouldKeepAlive = false
  res.once('finish', () => req.socket.destroy())
  answerError(res, 413, 'VALIDATION', BODY_TOO_LARGE, extra)
}

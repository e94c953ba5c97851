import type http from 'node:http'

/** Headers sent with every answer (next.config.js's security headers). */
export type ExtraHeaders = readonly { key: string; value: string }[]

/** Writes a whole answer: `extra`, then `headers`, its length and `body`. */
export function answer(res: http.ServerResponse, status: number, headers: Record<string, string | string[]>, body: Buffer, extra: ExtraHeaders) {
  for (const { key, value } of extra) res.setHeader(key, value)
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v)
  res.setHeader('content-length', body.length)
  res.writeHead(status)
  res.end(body)
}

/** An answer in the API's error shape (lib/server/http/json-response.ts) given without Next. */
export function answerError(res: http.ServerResponse, status: number, code: string, message: string, extra: ExtraHeaders, headers: Record<string, string> = {}) {
  const body = Buffer.from(JSON.stringify({ error: { code, message } }))
  answer(res, status, { 'content-type': 'application/json', 'cache-control': 'no-transform', ...headers }, body, extra)
}

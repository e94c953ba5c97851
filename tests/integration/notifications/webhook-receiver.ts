import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  raw: string
  body: unknown
}

export interface Reply {
  status: number
  headers?: Record<string, string>
  body?: string
  /** Answer after this long. */
  delayMs?: number
  /** Never answer (until the receiver closes): a receiver that hangs. */
  hang?: boolean
}

/**
 * A webhook endpoint on 127.0.0.1 that records every request and answers from a queue of
 * replies (then `fallback`), so a test can make it fail N times and then succeed.
 */
export interface WebhookReceiver {
  /** http://127.0.0.1:<port> */
  origin: string
  requests: ReceivedRequest[]
  fallback: Reply
  /** The next `times` requests get `reply`. */
  replyNext(reply: Reply, times?: number): void
  close(): Promise<void>
}

export async function startWebhookReceiver(fallback: Reply = { status: 200, body: '{"ok":true}' }): Promise<WebhookReceiver> {
  const queue: Reply[] = []
  const requests: ReceivedRequest[] = []
  const receiver: WebhookReceiver = {
    origin: '',
    requests,
    fallback,
    replyNext(reply, times = 1) {
      for (let i = 0; i < times; i++) queue.push(reply)
    },
    close: async () => {},
  }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      let body: unknown = null
      try {
        body = JSON.parse(raw)
      } catch {
        body = raw
      }
      requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, raw, body })
      const reply = queue.shift() ?? receiver.fallback
      if (reply.hang) return
      const send = () => {
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
        res.end(reply.body ?? '')
      }
      if (reply.delayMs) setTimeout(send, reply.delayMs)
      else send()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return receiver
}

import type { Db } from '@/lib/db/client'
import { liveQuoteRows } from '@/lib/market-data/live-quote-rows'
import { loadQuotes } from '@/lib/market-data/quote-store'
import { authenticateRequest } from '@/lib/server/auth/current-user'
import { isAppError } from '@/lib/server/errors/app-error'
import { subscribeAppEvents } from './listener'
import type { AppEvent } from './notify'

/** The SSE event name a browser receives for an app event, or null when this user must not see it. */
function eventNameFor(ev: AppEvent, userId: string): string | null {
  switch (ev.kind) {
    case 'position':
    case 'trader':
    case 'activity':
    case 'decision':
    case 'approval':
      return ev.userId === userId ? ev.kind : null
    case 'settings':
    case 'worker':
      return ev.kind
    default:
      // 'protection' and 'analyze' are worker wake-ups with no owner; the matching events follow.
      return null
  }
}

/**
 * What the stream answers instead of a 503 (the database away or busy): an EventSource that gets
 * any answer but a 200 event stream gives up for good, and the page would show stale prices and
 * positions until reloaded. A stream that only says when to come back, and ends, makes the
 * browser connect again after `retryAfterSeconds`; it carries nothing of the user's.
 */
export function comeBackLaterStream(retryAfterSeconds: number): Response {
  return new Response(`retry: ${retryAfterSeconds * 1000}\n: unavailable, come back later\n\n`, { headers: STREAM_HEADERS })
}

const STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-store, no-transform',
  // Not reused after the stream ends, so a stopping server is not held open by this socket.
  Connection: 'close',
  'X-Accel-Buffering': 'no',
}

/**
 * Server-sent events for the user `req` signed in as: `stored-quotes` (once, on connecting: the
 * last stored quote of each symbol, so a page has prices before the next tick), `quote` (every
 * quote tick), `position`, `trader`, `activity`, `decision`, `approval` (own events only),
 * `settings`, `worker`, and `resync` after the server's LISTEN connection was re-established
 * (events may have been missed). A comment heartbeat every `heartbeatMs` keeps proxies open; each
 * one first checks the request's credentials again, and a stream whose session ended (password
 * changed, token revoked, user removed) gets `signed-out` and is closed.
 */
export async function eventStreamResponse(o: { req: Request; db: Db; userId: string; heartbeatMs: number }): Promise<Response> {
  const { req, db, userId } = o
  // Not a `quote`: a browser counts ticks to judge whether prices are live (and the worker up).
  const stored = JSON.stringify(liveQuoteRows(await loadQuotes(db)))
  // A check that fails for another reason (the database busy a moment) leaves the stream open.
  const signedOut = () =>
    authenticateRequest(req, db).then(
      (auth) => auth.user.id !== userId,
      (e: unknown) => isAppError(e) && e.code === 'UNAUTHENTICATED',
    )

  const encoder = new TextEncoder()
  let cleanup = () => {}
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false
      const send = (chunk: string) => {
        if (closed) return
        try {
          controller.enqueue(encoder.encode(chunk))
        } catch {
          cleanup()
        }
      }
      const unsubscribe = subscribeAppEvents({
        onEvent(ev) {
          const name = eventNameFor(ev, userId)
          if (name) send(`event: ${name}\ndata: ${JSON.stringify(ev)}\n\n`)
        },
        onQuotes(json) {
          send(`event: quote\ndata: ${json}\n\n`)
        },
        onResync() {
          send('event: resync\ndata: {}\n\n')
        },
        onShutdown() {
          cleanup()
        },
      })
      const heartbeat = setInterval(() => {
        void signedOut().then((out) => {
          if (!out) return send(`: heartbeat ${Date.now()}\n\n`)
          send('event: signed-out\ndata: {}\n\n')
          cleanup()
        })
      }, o.heartbeatMs)
      cleanup = () => {
        if (closed) return
        closed = true
        clearInterval(heartbeat)
        unsubscribe()
        req.signal.removeEventListener('abort', cleanup)
        try {
          controller.close()
        } catch {
          // already closed by the runtime
        }
      }
      req.signal.addEventListener('abort', cleanup, { once: true })
      send('retry: 3000\n: connected\n\n')
      send(`event: stored-quotes\ndata: ${stored}\n\n`)
    },
    cancel() {
      cleanup()
    },
  })

  return new Response(stream, { headers: STREAM_HEADERS })
}

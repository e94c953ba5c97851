import { liveQuoteRows } from '@/lib/market-data/live-quote-rows'
import { loadQuotes } from '@/lib/market-data/quote-store'
import { subscribeAppEvents } from '@/lib/server/events/listener'
import type { AppEvent } from '@/lib/server/events/notify'
import { apiRoute } from '@/lib/server/http/api-route'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

const HEARTBEAT_MS = 15_000

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
 * Server-sent events for the signed-in user: `stored-quotes` (once, on connecting: the last stored
 * quote of each symbol, so a page has prices before the next tick), `quote` (every quote tick),
 * `position` and `trader`
 * `activity`, `decision`, `approval`
 * (own events only), `settings`, `worker`, and `resync` after the server's LISTEN connection was
 * re-established (events may have been missed). Comment heartbeats every 15 s keep proxies open.
 */
export const GET = apiRoute(async ({ req, db, user }) => {
  const userId = user.id
  // Not a `quote`: a browser counts ticks to judge whether prices are live (and the worker up).
  const stored = JSON.stringify(liveQuoteRows(await loadQuotes(db)))

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
      const heartbeat = setInterval(() => send(`: heartbeat ${Date.now()}\n\n`), HEARTBEAT_MS)
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

  return new Response(stream, {
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-store, no-transform',
      // Not reused after the stream ends, so a stopping server is not held open by this socket.
      Connection: 'close',
      'X-Accel-Buffering': 'no',
    },
  })
})

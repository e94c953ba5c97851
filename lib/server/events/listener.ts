import { EventEmitter } from 'node:events'
import pg from 'pg'
import { EVENTS_CHANNEL, QUOTES_CHANNEL, type AppEvent } from './notify'

/**
 * One LISTEN connection per web process, shared by every open SSE stream. Postgres delivers a
 * NOTIFY only to connections listening at that moment, so after a reconnect subscribers get a
 * `resync` signal and should reload what they show.
 */
export interface AppEventHandlers {
  onEvent?: (event: AppEvent) => void
  /** The quotes payload as one compact JSON array string, parsed and checked once per process. */
  onQuotes?: (json: string) => void
  onResync?: () => void
  /** The process is stopping: end the stream so the HTTP server can close. */
  onShutdown?: () => void
}

const MIN_BACKOFF_MS = 500
const MAX_BACKOFF_MS = 30_000

class AppEventListener {
  private readonly emitter = new EventEmitter()
  private client: pg.Client | null = null
  private started = false
  private attempt = 0
  private timer: NodeJS.Timeout | null = null
  private everConnected = false
  private stopping = false

  constructor() {
    // Every SSE stream adds its own handlers.
    this.emitter.setMaxListeners(0)
    // An open SSE response keeps the HTTP server from closing on SIGTERM/SIGINT, so end them all.
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const onSignal = () => {
        this.stop()
        // Without another handler (Next's), restore the default action: terminate.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
      }
      process.once(signal, onSignal)
    }
  }

  private stop() {
    if (this.stopping) return
    this.stopping = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.emitter.emit('shutdown')
    const client = this.client
    this.client = null
    client?.removeAllListeners()
    client?.on('error', () => {})
    client?.end().catch(() => {})
  }

  subscribe(h: AppEventHandlers): () => void {
    const pairs: [string, Parameters<EventEmitter['on']>[1]][] = []
    if (h.onEvent) pairs.push(['event', h.onEvent])
    if (h.onQuotes) pairs.push(['quotes', h.onQuotes])
    if (h.onResync) pairs.push(['resync', h.onResync])
    if (h.onShutdown) pairs.push(['shutdown', h.onShutdown])
    for (const [name, fn] of pairs) this.emitter.on(name, fn)
    if (this.stopping) queueMicrotask(() => h.onShutdown?.())
    this.start()
    return () => {
      for (const [name, fn] of pairs) this.emitter.off(name, fn)
    }
  }

  get connected(): boolean {
    return this.client !== null
  }

  private start() {
    if (this.started) return
    this.started = true
    void this.connect()
  }

  private scheduleReconnect(reason: unknown) {
    if (this.timer || this.stopping) return
    const delay = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** this.attempt)
    this.attempt += 1
    const why = reason instanceof Error ? reason.message : String(reason ?? 'connection ended')
    console.warn(`[events] LISTEN connection lost (${why}); reconnecting in ${delay} ms`)
    this.timer = setTimeout(() => {
      this.timer = null
      void this.connect()
    }, delay)
  }

  private async connect() {
    if (this.stopping) return
    const url = process.env.DATABASE_URL
    if (!url) {
      this.scheduleReconnect(new Error('DATABASE_URL is not set'))
      return
    }
    const client = new pg.Client({ connectionString: url, keepAlive: true })
    let dropped = false
    const drop = (err?: unknown) => {
      if (dropped) return
      dropped = true
      if (this.client === client) this.client = null
      client.removeAllListeners('notification')
      client.end().catch(() => {})
      this.scheduleReconnect(err)
    }
    client.on('error', drop)
    client.on('end', () => drop())
    client.on('notification', (msg) => this.dispatch(msg.channel, msg.payload))
    try {
      await client.connect()
      await client.query(`LISTEN ${EVENTS_CHANNEL}`)
      await client.query(`LISTEN ${QUOTES_CHANNEL}`)
    } catch (err) {
      drop(err)
      return
    }
    if (dropped) return
    if (this.stopping) {
      client.end().catch(() => {})
      return
    }
    this.client = client
    this.attempt = 0
    // Anything sent while we were away is lost: tell subscribers to reload.
    if (this.everConnected) this.emitter.emit('resync')
    this.everConnected = true
  }

  private dispatch(channel: string, payload: string | undefined) {
    if (!payload) return
    let parsed: unknown
    try {
      parsed = JSON.parse(payload)
    } catch {
      console.warn(`[events] ignoring a malformed payload on ${channel}`)
      return
    }
    if (channel === QUOTES_CHANNEL) {
      if (Array.isArray(parsed)) this.emitter.emit('quotes', JSON.stringify(parsed))
    } else if (channel === EVENTS_CHANNEL) {
      if (parsed && typeof parsed === 'object' && 'kind' in parsed) this.emitter.emit('event', parsed as AppEvent)
    }
  }
}

// Next's dev server re-evaluates modules on change; one listener per process, not one per reload.
const globalForListener = globalThis as unknown as { __tradeloopEventListener?: AppEventListener }

function listener(): AppEventListener {
  globalForListener.__tradeloopEventListener ??= new AppEventListener()
  return globalForListener.__tradeloopEventListener
}

/** Starts the process's LISTEN connection on first use; returns the unsubscribe function. */
export function subscribeAppEvents(handlers: AppEventHandlers): () => void {
  return listener().subscribe(handlers)
}

import type { Exchange } from 'ccxt'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import type { OrderReport, OrderStreamHandlers } from '@/lib/exchange/port'
import { rewriteHosts, rewriteWebsocketHosts, websocketBaseFor } from './rest-base-url'
import { translateCcxtError } from './translate-ccxt-error'

/** Where a venue's ccxt pro hooks hand what they see. */
export interface ProStreamSink<Raw> {
  /** One raw order event as the exchange sent it; reports are built from these, in order. */
  push(raw: Raw): void
  /** The stream is broken in a way ccxt does not reject the pending watch with. */
  fail(error: unknown): void
}

/** What one venue does on one ccxt pro instance (one connection) of its order stream. */
export interface ProStreamSession<Raw> {
  /** Wraps ccxt's message handlers so raw order events reach `sink`; called before subscribing. */
  hook(sink: ProStreamSink<Raw>): void
  /** Resolves once the exchange has confirmed the subscription; rejects when it refused it. */
  subscribe(): Promise<void>
  /** ccxt's watch, called again as long as the stream runs: it stays pending and rejects when the connection drops. */
  watch(): Promise<unknown>
  /** The report of one raw event; null for one that cannot be read (polling settles that order). */
  report(raw: Raw): OrderReport | null
}

/** ccxt pro instances as this class uses them. */
interface ProLike {
  urls: Exchange['urls']
  close(): Promise<unknown>
  loadHttpProxyAgent(): Promise<unknown>
  setMarkets(markets: unknown, currencies?: unknown): unknown
}

/** The subscription must be confirmed within this, or the attempt counts as failed. */
export const SUBSCRIBE_TIMEOUT_MS = 10_000

/** What every venue's order stream is built from. */
export interface ProOrderStreamOptions {
  apiKey: string
  secret: string
  /**
   * The account's REST base URL (normalised). When set, every REST and websocket host of the
   * stream's ccxt instance is replaced (see ProOrderStream.prepare).
   */
  baseUrl?: string
  /** The REST instance with its markets loaded: the stream shares them (no second load). */
  restWithMarkets(): Promise<Exchange>
  /** ccxt pings this often and fails the connection after two unanswered pings (default 10 s). */
  keepAliveMs?: number
  subscribeTimeoutMs?: number
}

// A silently dead connection is noticed within 20-30 s (ccxt's defaults would take minutes).
export const KEEPALIVE_MS = 10_000

/**
 * A private order stream over ccxt pro (ExchangePort.watchOrderReports), one watch at a time on a
 * fresh ccxt instance (a fresh connection) per watch. What is the same for every venue lives here:
 * reports are handed on one at a time in the exchange's order, those received before a failure
 * still are (they are real), a handler's own failure ends the watch as is, ccxt failures are
 * translated, and closing ends a running watch quietly. A venue supplies its ccxt instance and
 * its session (how it subscribes and what its raw events look like).
 */
export abstract class ProOrderStream<Pro extends ProLike, Raw> {
  /** The ccxt instance of the running watch, closed by close(). */
  private pro: Pro | null = null
  private watching = false
  private closed = false

  /** `what` names the stream in errors: 'Binance order stream'. */
  constructor(
    private readonly what: string,
    private readonly subscribeTimeoutMs = SUBSCRIBE_TIMEOUT_MS,
  ) {}

  /** A new ccxt pro instance with its markets set (shared with the REST instance). */
  protected abstract newPro(): Promise<Pro>
  protected abstract session(pro: Pro): ProStreamSession<Raw>

  /** See ExchangePort.watchOrderReports. */
  async watch(handlers: OrderStreamHandlers, signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.closed) return
    if (this.watching) throw new ExchangeError(`this ${this.what} is already being watched`, false)
    this.watching = true
    try {
      const pro = (this.pro = await this.newPro())
      if (signal.aborted || this.closed) return void (await pro.close())
      await this.run(pro, this.session(pro), handlers, signal)
    } finally {
      this.watching = false
      this.pro = null
    }
  }

  /** Ends a running watch (it resolves) and refuses new ones. */
  async close(): Promise<void> {
    this.closed = true
    await this.pro?.close()
  }

  /**
   * Points every REST and websocket host of `pro` at the account's REST base URL: REST at it,
   * websockets at its ws(s) twin on the same host (websocketBaseFor), so no private stream can
   * leave for the exchange's own host. Then shares the REST instance's markets (no second load).
   */
  protected static async prepare(pro: ProLike, baseUrl: string | undefined, rest: Exchange): Promise<void> {
    if (baseUrl !== undefined) {
      const ws = websocketBaseFor(baseUrl)
      pro.urls['api'] = rewriteWebsocketHosts(rewriteHosts(pro.urls['api'], baseUrl), ws)
      // ccxt refuses plain ws:// URLs until its http agent is loaded (a local server, a gateway).
      if (ws.startsWith('ws://')) await pro.loadHttpProxyAgent()
    }
    pro.setMarkets(rest.markets, rest.currencies)
  }

  private async run(pro: Pro, s: ProStreamSession<Raw>, handlers: OrderStreamHandlers, signal: AbortSignal): Promise<void> {
    const queue: Raw[] = []
    let failure: unknown = null
    let wake: (() => void) | null = null
    const poke = () => {
      const w = wake
      wake = null
      w?.()
    }
    const fail = (e: unknown) => {
      failure ??= e
      poke()
    }
    s.hook({
      push(raw) {
        queue.push(raw)
        poke()
      },
      fail,
    })
    const onAbort = () => {
      poke()
      void pro.close()
    }
    signal.addEventListener('abort', onAbort, { once: true })

    let handlerFailed = false
    try {
      await this.confirmed(s.subscribe())
      if (signal.aborted) return
      handlers.onSubscribed()
      // Keeps a watch pending on the subscription: it rejects when the connection drops.
      void (async () => {
        while (!signal.aborted && failure === null) await s.watch()
      })().catch(fail)
      for (;;) {
        while (queue.length > 0 && !signal.aborted) {
          const report = s.report(queue.shift()!)
          if (!report) continue
          try {
            await handlers.onReport(report)
          } catch (e) {
            handlerFailed = true
            throw e
          }
        }
        if (signal.aborted) return
        if (failure !== null) throw failure
        await new Promise<void>((resolve) => (wake = resolve))
      }
    } catch (e) {
      if (handlerFailed) throw e
      if (signal.aborted || this.closed) return
      throw translateCcxtError(e, this.what, { mayHaveExecuted: false })
    } finally {
      signal.removeEventListener('abort', onAbort)
      await pro.close()
    }
  }

  private async confirmed(subscribing: Promise<void>): Promise<void> {
    const ms = this.subscribeTimeoutMs
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        subscribing,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new ExchangeError(`${this.what}: the exchange did not confirm the subscription within ${ms} ms`, true)), ms)
        }),
      ])
    } finally {
      clearTimeout(timer)
    }
  }
}

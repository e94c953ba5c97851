import ccxt, { type Exchange } from 'ccxt'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import type { OrderStreamHandlers } from '@/lib/exchange/port'
import { orderReportFromExecutionReport, type BinanceExecutionReport } from './order-report-from-execution-report'
import { rewriteHosts, rewriteWebsocketHosts, websocketBaseFor } from './rest-base-url'
import { translateCcxtError } from './translate-ccxt-error'

/**
 * What ccxt pro 4.5.84 (js/src/pro/binance.js) does for spot `watchOrders`, which this class
 * drives:
 * - It connects to the WebSocket API, `urls.api.ws['ws-api'].spot` =
 *   wss://ws-api.binance.com:443/ws-api/v3 (sandbox mode: wss://ws-api.testnet.binance.vision/ws-api/v3),
 *   not to a listenKey stream (those are deprecated).
 * - `authenticate` → `ensureUserDataStreamWsSubscribeSignature` sends, once per connection,
 *   `{"id":"<n>","method":"userDataStream.subscribe.signature","params":{apiKey,timestamp,[recvWindow],signature}}`,
 *   signed like REST: HMAC-SHA256 (or RSA/Ed25519 for such keys) of the parameters sorted by name
 *   and joined as `k=v&...`, unencoded. It waits for `{"id":"<n>","status":200,"result":{"subscriptionId":0}}`;
 *   a status other than 200 with `{"error":{"code","msg"}}` rejects (-1022/-2015: AuthenticationError).
 * - Events then come as `{"subscriptionId":0,"event":{"e":"executionReport",...}}`; ccxt unwraps
 *   `event` and hands executionReports to `handleOrderUpdate`. `eventStreamTerminated` drops the
 *   subscription without failing a pending watchOrders (handled here).
 * - A dropped connection rejects pending watches with a NetworkError; the next watch dials again.
 *
 * Reports are taken from the raw events in `handleOrderUpdate`, not from watchOrders' result:
 * ccxt's order cache keeps one entry per order, so two trades of one order arriving in one read
 * would reach us as the last one only; the raw event also keeps Binance's decimal strings.
 */

// ccxt pings every keepAlive ms and fails the connection after two unanswered pings: a silently
// dead connection is noticed within 20-30 s (ccxt's Binance default of 180 s would take minutes).
const KEEPALIVE_MS = 10_000
/** The subscription must be answered within this, or the attempt counts as failed. */
const SUBSCRIBE_TIMEOUT_MS = 10_000

type ProBinance = InstanceType<typeof ccxt.pro.binance>

export interface BinanceOrderStreamOptions {
  apiKey: string
  secret: string
  /** Binance's spot testnet (ccxt's sandbox URLs); applied before baseUrl. */
  sandbox: boolean
  /**
   * The account's REST base URL (normalised). When set, every REST and websocket host of the
   * stream's ccxt instance is replaced: REST by it, websockets by its ws(s) twin on the same host
   * (websocketBaseFor), so the WebSocket API is expected at `<base as ws>/ws-api/v3`.
   */
  baseUrl?: string
  /** ccxt options of the REST instance (spot only), so both agree on the market type. */
  options: Record<string, unknown>
  /** The REST instance with its markets loaded: the stream shares them (no second exchangeInfo). */
  restWithMarkets(): Promise<Exchange>
  keepAliveMs?: number
  subscribeTimeoutMs?: number
}

/** Binance spot order and fill updates over ccxt pro, one watch at a time. */
export class BinanceOrderStream {
  /** The ccxt instance of the running watch, closed by close(). */
  private pro: ProBinance | null = null
  private watching = false
  private closed = false

  constructor(private readonly o: BinanceOrderStreamOptions) {}

  /** See ExchangePort.watchOrderReports. */
  async watch(handlers: OrderStreamHandlers, signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.closed) return
    if (this.watching) throw new ExchangeError('this Binance order stream is already being watched', false)
    this.watching = true
    try {
      const rest = await this.o.restWithMarkets()
      if (signal.aborted || this.closed) return
      const pro = (this.pro = await this.newPro(rest))
      if (signal.aborted || this.closed) return void (await pro.close())
      await this.run(pro, handlers, signal)
    } finally {
      this.watching = false
      this.pro = null
    }
  }

  private async run(pro: ProBinance, handlers: OrderStreamHandlers, signal: AbortSignal): Promise<void> {
    const queue: BinanceExecutionReport[] = []
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
    const handleOrderUpdate = pro.handleOrderUpdate
    pro.handleOrderUpdate = function (this: ProBinance, client, message) {
      if ((message as { e?: unknown })?.e === 'executionReport') {
        queue.push(message as BinanceExecutionReport)
        poke()
      }
      return handleOrderUpdate.call(this, client, message)
    }
    const handleEventStreamTerminated = pro.handleEventStreamTerminated
    pro.handleEventStreamTerminated = function (this: ProBinance, client, message) {
      handleEventStreamTerminated.call(this, client, message)
      fail(new ExchangeError('Binance ended the user data stream (eventStreamTerminated)', true))
    }
    const onAbort = () => {
      poke()
      void pro.close()
    }
    signal.addEventListener('abort', onAbort, { once: true })

    let handlerFailed = false
    try {
      await this.subscribe(pro)
      if (signal.aborted) return
      handlers.onSubscribed()
      // Keeps a watch pending on the subscription: it rejects when the connection drops.
      void (async () => {
        while (!signal.aborted && failure === null) await pro.watchOrders()
      })().catch(fail)
      for (;;) {
        // Reports received before a failure are still handed on: they are real.
        while (queue.length > 0 && !signal.aborted) {
          const report = orderReportFromExecutionReport(queue.shift()!)
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
      throw translateCcxtError(e, 'Binance order stream', { mayHaveExecuted: false })
    } finally {
      signal.removeEventListener('abort', onAbort)
      await pro.close()
    }
  }

  /** Ends a running watch (it resolves) and refuses new ones. */
  async close(): Promise<void> {
    this.closed = true
    await this.pro?.close()
  }

  private async newPro(rest: Exchange): Promise<ProBinance> {
    const pro = new ccxt.pro.binance({
      apiKey: this.o.apiKey,
      secret: this.o.secret,
      enableRateLimit: true,
      // Reconnecting is the caller's decision (with its own backoff): base 0 turns off ccxt's dial backoff.
      options: { ...this.o.options, ws: { backoff: { base: 0 } } },
      streaming: { keepAlive: this.o.keepAliveMs ?? KEEPALIVE_MS },
    })
    if (this.o.sandbox) pro.setSandboxMode(true)
    if (this.o.baseUrl !== undefined) {
      const ws = websocketBaseFor(this.o.baseUrl)
      pro.urls['api'] = rewriteWebsocketHosts(rewriteHosts(pro.urls['api'], this.o.baseUrl), ws)
      // ccxt refuses plain ws:// URLs until its http agent is loaded (a local server, a gateway).
      if (ws.startsWith('ws://')) await pro.loadHttpProxyAgent()
    }
    // ccxt's typings declare the currencies parameter as undefined; the code takes the dictionary.
    pro.setMarkets(rest.markets, rest.currencies as never)
    return pro
  }

  /** ccxt's own spot authentication: the signed subscription, resolved by Binance's answer. */
  private async subscribe(pro: ProBinance): Promise<void> {
    // ccxt 4.5.84 creates a future 'authenticate:signature:spot' that only concurrent subscribers
    // await, and rejects it when Binance refuses the subscription (a bad key or signature): with
    // nobody awaiting it, that rejection is unhandled and would end the process. It is marked
    // handled here (ccxt's own awaiters, if any, still receive it).
    const client = pro.client(pro.urls['api']['ws']['ws-api']['spot']) as unknown as { future(hash: string): Promise<unknown> }
    const future = client.future.bind(client)
    client.future = (hash: string) => {
      const f = future(hash)
      if (hash.startsWith('authenticate:')) f.catch(() => {})
      return f
    }
    let timer: NodeJS.Timeout | undefined
    const ms = this.o.subscribeTimeoutMs ?? SUBSCRIBE_TIMEOUT_MS
    try {
      await Promise.race([
        pro.authenticate({ type: 'spot' }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new ExchangeError(`Binance did not answer the user data stream subscription within ${ms} ms`, true)), ms)
        }),
      ])
    } finally {
      clearTimeout(timer)
    }
  }
}

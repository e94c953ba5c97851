import ccxt from 'ccxt'
import { ExchangeError } from '@/lib/exchange/exchange-error'
import { orderReportFromExecutionReport, type BinanceExecutionReport } from './order-report-from-execution-report'
import { KEEPALIVE_MS, ProOrderStream, type ProOrderStreamOptions, type ProStreamSession } from './pro-order-stream'

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

type ProBinance = InstanceType<typeof ccxt.pro.binance>

/** `baseUrl`: the WebSocket API is then expected at `<base as ws>/ws-api/v3`. */
export interface BinanceOrderStreamOptions extends ProOrderStreamOptions {
  /** Binance's spot testnet (ccxt's sandbox URLs); applied before baseUrl. */
  sandbox: boolean
  /** ccxt options of the REST instance (spot only), so both agree on the market type. */
  options: Record<string, unknown>
}

/** Binance spot order and fill updates over ccxt pro, one watch at a time. */
export class BinanceOrderStream extends ProOrderStream<ProBinance, BinanceExecutionReport> {
  constructor(private readonly o: BinanceOrderStreamOptions) {
    super('Binance order stream', o.subscribeTimeoutMs)
  }

  protected async newPro(): Promise<ProBinance> {
    const rest = await this.o.restWithMarkets()
    const pro = new ccxt.pro.binance({
      apiKey: this.o.apiKey,
      secret: this.o.secret,
      enableRateLimit: true,
      // Reconnecting is the caller's decision (with its own backoff): base 0 turns off ccxt's dial backoff.
      options: { ...this.o.options, ws: { backoff: { base: 0 } } },
      streaming: { keepAlive: this.o.keepAliveMs ?? KEEPALIVE_MS },
    })
    if (this.o.sandbox) pro.setSandboxMode(true)
    await ProOrderStream.prepare(pro, this.o.baseUrl, rest)
    return pro
  }

  protected session(pro: ProBinance): ProStreamSession<BinanceExecutionReport> {
    return {
      hook(sink) {
        const handleOrderUpdate = pro.handleOrderUpdate
        pro.handleOrderUpdate = function (this: ProBinance, client, message) {
          if ((message as { e?: unknown })?.e === 'executionReport') sink.push(message as BinanceExecutionReport)
          return handleOrderUpdate.call(this, client, message)
        }
        const handleEventStreamTerminated = pro.handleEventStreamTerminated
        pro.handleEventStreamTerminated = function (this: ProBinance, client, message) {
          handleEventStreamTerminated.call(this, client, message)
          sink.fail(new ExchangeError('Binance ended the user data stream (eventStreamTerminated)', true))
        }
      },
      subscribe: () => subscribe(pro),
      watch: () => pro.watchOrders(),
      report: orderReportFromExecutionReport,
    }
  }
}

/** ccxt's own spot authentication: the signed subscription, resolved by Binance's answer. */
function subscribe(pro: ProBinance): Promise<void> {
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
  return pro.authenticate({ type: 'spot' })
}

import ccxt from 'ccxt'
import { orderReportFromCoinbaseUserOrder, type CoinbaseUserOrder } from './order-report-from-coinbase-user-order'
import { KEEPALIVE_MS, ProOrderStream, type ProOrderStreamOptions, type ProStreamSession } from './pro-order-stream'

/**
 * What ccxt pro 4.5.84 (js/src/pro/coinbase.js) does for `watchOrders`, which this class drives:
 * - It dials `urls.api.ws` = wss://advanced-trade-ws.coinbase.com (one URL for every channel) and
 *   sends, once per connection, `{"type":"subscribe","product_ids":[],"channel":"user","jwt":"…"}`.
 *   With a CDP key (a name `organizations/…/apiKeys/…` and an EC private key) the JWT is ES256,
 *   signed as for REST but without a `uri` claim, valid 120 s (createWSAuth → createAuthToken).
 * - Coinbase confirms with `{"channel":"subscriptions","events":[{"subscriptions":{"user":[…]}}]}`
 *   and sends the open orders as `user` events of type "snapshot" (in batches of 50), then one
 *   "update" per change: `{"channel":"user","sequence_num":n,"events":[{"type":"update","orders":[…]}]}`.
 *   ccxt resolves watchOrders only on `user` messages (handleOrder) and turns
 *   `{"type":"error","message":…}` into an ExchangeError that rejects every pending watch.
 * - A dropped connection rejects pending watches with a NetworkError; the next watch dials again.
 *
 * Reports are taken from the raw orders in `handleOrder`, not from watchOrders' result: ccxt's
 * cache keeps one entry per order and parses quantities to numbers.
 *
 * Coinbase closes most channels after 60-90 s without a message, so the `heartbeats` channel
 * (one message a second) is subscribed on the same connection to keep it open.
 */

type ProCoinbase = InstanceType<typeof ccxt.pro.coinbase>

interface UserMessage {
  events?: { type?: string; orders?: CoinbaseUserOrder[] }[]
}
interface SubscriptionsMessage {
  events?: { subscriptions?: Record<string, unknown> }[]
}

/**
 * The key is a CDP key: its name and EC private key (PEM), as for REST. With `baseUrl` the
 * websocket is expected at the root of `<base as ws>`, as Coinbase serves it at the root of its host.
 */
export type CoinbaseOrderStreamOptions = ProOrderStreamOptions

/** Coinbase Advanced Trade order updates over ccxt pro's `user` channel, one watch at a time. */
export class CoinbaseOrderStream extends ProOrderStream<ProCoinbase, CoinbaseUserOrder> {
  constructor(private readonly o: CoinbaseOrderStreamOptions) {
    super('Coinbase order stream', o.subscribeTimeoutMs)
  }

  protected async newPro(): Promise<ProCoinbase> {
    const rest = await this.o.restWithMarkets()
    const pro = new ccxt.pro.coinbase({
      apiKey: this.o.apiKey,
      secret: this.o.secret,
      // No REST calls are made here (markets are shared), and ccxt 4.5.84's throttled websocket
      // send drops the promise of its send: a subscribe queued behind the throttle when the
      // connection closes becomes an unhandled rejection. Two subscribes per connection need none.
      enableRateLimit: false,
      has: { fetchCurrencies: false },
      // Reconnecting is the caller's decision (with its own backoff): base 0 turns off ccxt's dial backoff.
      options: { ws: { backoff: { base: 0 } } },
      streaming: { keepAlive: this.o.keepAliveMs ?? KEEPALIVE_MS },
    })
    await ProOrderStream.prepare(pro, this.o.baseUrl, rest)
    return pro
  }

  protected session(pro: ProCoinbase): ProStreamSession<CoinbaseUserOrder> {
    let confirm: () => void = () => {}
    const confirmed = new Promise<void>((resolve) => (confirm = resolve))
    return {
      hook(sink) {
        const handleOrder = pro.handleOrder
        pro.handleOrder = function (this: ProCoinbase, client, message) {
          for (const event of (message as UserMessage).events ?? []) {
            // The snapshot can come before the subscriptions message: either confirms.
            if (event.type === 'snapshot') confirm()
            for (const order of event.orders ?? []) sink.push(order)
          }
          return handleOrder.call(this, client, message)
        }
        const handleSubscriptionStatus = pro.handleSubscriptionStatus
        pro.handleSubscriptionStatus = function (this: ProCoinbase, client, message) {
          if ((message as SubscriptionsMessage).events?.some((e) => e.subscriptions?.['user'] !== undefined)) confirm()
          return handleSubscriptionStatus.call(this, client, message)
        }
      },
      async subscribe() {
        // Both watches are sent on one connection; the heartbeats one never resolves (ccxt only
        // reads heartbeats) and rejects when the connection drops, which the user watch reports.
        const user = pro.watchOrders()
        const url = pro.urls['api']['ws'] as string
        const heartbeats = { type: 'subscribe', product_ids: [], channel: 'heartbeats', ...pro.createWSAuth('heartbeats', []) }
        pro.watch(url, 'heartbeats', heartbeats, 'heartbeats').catch(() => {})
        await Promise.race([confirmed, user.then(() => {})])
      },
      watch: () => pro.watchOrders(),
      report: orderReportFromCoinbaseUserOrder,
    }
  }
}

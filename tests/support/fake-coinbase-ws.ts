import type { WebSocket } from 'ws'
import type { FakeCoinbase, FakeCoinbaseOrder } from './fake-coinbase'
import { serveWebsocket } from './fake-ws-endpoint'

/**
 * The part of Coinbase Advanced Trade's websocket (wss://advanced-trade-ws.coinbase.com) that ccxt
 * pro 4.5.84 uses for `watchOrders` (see lib/exchange/ccxt/coinbase-order-stream.ts), served at
 * the root of the REST fake's own port (the adapter derives its websocket host from the account's
 * REST base URL):
 * - `{"type":"subscribe","channel":"user","product_ids":[],"jwt":"…"}`: the JWT must be there and
 *   read as ccxt's CDP token (ES256 header with kid = the key name, sub = the key name, issuer and
 *   audience as for REST, inside nbf..exp); its signature is not verified here (the REST fake does
 *   that for the same token maker). A refusal is `{"type":"error","message":"authentication failure"}`.
 *   `heartbeats` needs no token and gets one message every `heartbeatMs`; `unsubscribe` is honoured.
 * - Each subscribe is confirmed with `{"channel":"subscriptions","events":[{"subscriptions":{…}}]}`;
 *   `user` is then sent the open orders as a "snapshot" event (batches of 50), and after that one
 *   "update" event per change of an order in the REST fake's book: placed, filled more, canceled,
 *   expired. Orders carry Coinbase's running totals (cumulative_quantity, avg_price, total_fees,
 *   leaves_quantity), never a trade. Every message of a connection carries the next sequence_num.
 * Tests can drop connections, refuse new ones, lose or resend updates.
 */

/** One order as the user channel shows it. */
export interface CoinbaseWsOrder {
  order_id: string
  client_order_id: string
  cumulative_quantity: string
  leaves_quantity: string
  avg_price: string
  total_fees: string
  status: string
  product_id: string
  product_type: 'SPOT'
  creation_time: string
  order_side: 'BUY' | 'SELL'
  order_type: string
  cancel_reason: string
  reject_reason: string
  total_value_after_fees: string
  contract_expiry_type: 'UNKNOWN_CONTRACT_EXPIRY_TYPE'
  risk_managed_by: 'UNKNOWN_RISK_MANAGEMENT_TYPE'
  time_in_force: string
  trigger_status: string
  number_of_fills: string
  filled_value: string
  outstanding_hold_amount: string
  limit_price: string
  stop_price: string
}

export interface FakeCoinbaseWs {
  /** What ccxt will dial: the REST fake's URL as ws, at the root. */
  url: string
  /** Every message received from clients, in order. */
  received: { at: number; message: Record<string, unknown> }[]
  /** Every order update produced by the book, in order, whether it was delivered or lost. */
  updates: CoinbaseWsOrder[]
  /** Upgrade requests seen (refused ones included). */
  connectionAttempts: { at: number; refused: boolean }[]
  /** Open connections subscribed to the user channel. */
  userSubscriptions(): number
  /** While set, an update for which it returns false is not delivered (lost, as during an outage). */
  setLoss(lose: ((o: CoinbaseWsOrder) => boolean) | undefined): void
  /** Delivers these updates again, as they were (a duplicate delivery). Returns how many were sent. */
  resend(updates: CoinbaseWsOrder[]): number
  /** Cuts every open connection without a close handshake (as a network failure does). */
  drop(): void
  /** While on, websocket upgrades are answered with HTTP 503 and no connection is made. */
  refuse(on: boolean): void
  close(): Promise<void>
}

export interface FakeCoinbaseWsOptions {
  /** How often subscribers of `heartbeats` get one (Coinbase: every second). */
  heartbeatMs?: number
}

interface Connection {
  ws: WebSocket
  /** channel → product ids subscribed. */
  channels: Map<string, string[]>
  sequence: number
  heartbeat: NodeJS.Timeout | null
  heartbeats: number
}

const SNAPSHOT_BATCH = 50
const iso = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z')
const ORDER_TYPE = { MARKET: 'Market', LIMIT: 'Limit', STOP_LIMIT: 'Stop Limit' } as const

export function startFakeCoinbaseWs(rest: FakeCoinbase, opts: FakeCoinbaseWsOptions = {}): FakeCoinbaseWs {
  const connections = new Set<Connection>()
  const received: FakeCoinbaseWs['received'] = []
  const updates: CoinbaseWsOrder[] = []
  let lose: ((o: CoinbaseWsOrder) => boolean) | undefined

  const endpoint = serveWebsocket(rest.server, '/', (ws) => {
    const c: Connection = { ws, channels: new Map(), sequence: 0, heartbeat: null, heartbeats: 0 }
    connections.add(c)
    const gone = () => {
      connections.delete(c)
      if (c.heartbeat) clearInterval(c.heartbeat)
    }
    ws.on('close', gone)
    ws.on('error', gone)
    ws.on('message', (data) => onMessage(c, data.toString()))
  })

  function send(c: Connection, channel: string, events: unknown[]) {
    if (c.ws.readyState !== c.ws.OPEN) return
    c.ws.send(JSON.stringify({ channel, client_id: '', timestamp: iso(Date.now()), sequence_num: c.sequence++, events }))
  }
  const error = (c: Connection, message: string) => c.ws.send(JSON.stringify({ type: 'error', message }))

  function onMessage(c: Connection, text: string) {
    let msg: { type?: unknown; channel?: unknown; product_ids?: unknown; jwt?: unknown }
    try {
      msg = JSON.parse(text) as typeof msg
    } catch {
      return error(c, 'malformed message')
    }
    received.push({ at: Date.now(), message: msg as Record<string, unknown> })
    const channel = String(msg.channel)
    const productIds = Array.isArray(msg.product_ids) ? msg.product_ids.map(String) : []
    if (msg.type === 'unsubscribe') {
      c.channels.delete(channel)
      if (channel === 'heartbeats' && c.heartbeat) clearInterval(c.heartbeat)
      return send(c, 'subscriptions', [{ subscriptions: Object.fromEntries(c.channels) }])
    }
    if (msg.type !== 'subscribe') return error(c, `unknown message type ${JSON.stringify(msg.type)}`)
    if (channel !== 'user' && channel !== 'heartbeats') return error(c, `channel ${channel} is not served by this fake`)
    if (channel === 'user' && !validToken(msg.jwt)) return error(c, 'authentication failure')
    c.channels.set(channel, productIds)
    send(c, 'subscriptions', [{ subscriptions: Object.fromEntries(c.channels) }])
    if (channel === 'user') {
      const open = rest.orders.filter((o) => wsStatus(o) === 'OPEN' || wsStatus(o) === 'CANCEL_QUEUED').filter((o) => wants(c, o))
      for (let i = 0; i === 0 || i < open.length; i += SNAPSHOT_BATCH) {
        send(c, 'user', [{ type: 'snapshot', orders: open.slice(i, i + SNAPSHOT_BATCH).map(wsOrder) }])
      }
    } else if (!c.heartbeat) {
      c.heartbeat = setInterval(() => {
        c.heartbeats++
        send(c, 'heartbeats', [{ current_time: new Date().toISOString(), heartbeat_counter: c.heartbeats }])
      }, opts.heartbeatMs ?? 1000)
    }
  }

  /** ccxt's CDP token for a websocket: read, not cryptographically verified. */
  function validToken(jwt: unknown): boolean {
    if (typeof jwt !== 'string') return false
    const parts = jwt.split('.')
    if (parts.length !== 3 || parts[2] === '') return false
    try {
      const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()) as { alg?: string; kid?: string }
      const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as { sub?: string; iss?: string; aud?: string[]; nbf?: number; exp?: number }
      const t = Math.floor(Date.now() / 1000)
      return (
        header.alg === 'ES256' &&
        header.kid === rest.apiKey &&
        claims.sub === rest.apiKey &&
        claims.iss === 'coinbase-cloud' &&
        claims.aud?.includes('retail_rest_api_proxy') === true &&
        claims.nbf !== undefined &&
        claims.exp !== undefined &&
        claims.nbf <= t + 5 &&
        claims.exp >= t
      )
    } catch {
      return false
    }
  }

  const wants = (c: Connection, o: Pick<FakeCoinbaseOrder, 'product_id'> | CoinbaseWsOrder) => {
    const ids = c.channels.get('user')
    return ids !== undefined && (ids.length === 0 || ids.includes(o.product_id))
  }

  function deliver(o: CoinbaseWsOrder): number {
    let sent = 0
    for (const c of connections) {
      if (c.ws.readyState !== c.ws.OPEN || !wants(c, o)) continue
      send(c, 'user', [{ type: 'update', orders: [o] }])
      sent++
    }
    return sent
  }

  // ---- the book's changes as user channel updates ---------------------------------------------

  const wsStatus = (o: FakeCoinbaseOrder) => (o.status === 'OPEN' && o.cancelQueuedReads !== undefined ? 'CANCEL_QUEUED' : o.status)

  function wsOrder(o: FakeCoinbaseOrder): CoinbaseWsOrder {
    const status = wsStatus(o)
    const fees = o.fees
    return {
      order_id: o.order_id,
      client_order_id: o.client_order_id,
      cumulative_quantity: o.filled.toFixed(),
      leaves_quantity: status === 'OPEN' || status === 'CANCEL_QUEUED' ? o.size.minus(o.filled).toFixed() : '0',
      avg_price: o.filled.gt(0) ? o.filledValue.div(o.filled).toFixed() : '0',
      total_fees: fees.toFixed(),
      status,
      product_id: o.product_id,
      product_type: 'SPOT',
      creation_time: iso(o.created),
      order_side: o.side,
      order_type: ORDER_TYPE[o.order_type],
      cancel_reason: o.status === 'CANCELLED' ? (o.order_type === 'MARKET' ? 'IOC order was not fully filled' : 'User requested cancel') : '',
      reject_reason: '',
      total_value_after_fees: (o.side === 'BUY' ? o.filledValue.plus(fees) : o.filledValue.minus(fees)).toFixed(),
      contract_expiry_type: 'UNKNOWN_CONTRACT_EXPIRY_TYPE',
      risk_managed_by: 'UNKNOWN_RISK_MANAGEMENT_TYPE',
      time_in_force: o.time_in_force,
      trigger_status: o.order_type !== 'STOP_LIMIT' ? 'INVALID_ORDER_TYPE' : o.triggered ? 'STOP_TRIGGERED' : 'STOP_PENDING',
      number_of_fills: String(rest.fills.filter((f) => f.order_id === o.order_id).length),
      filled_value: o.filledValue.toFixed(),
      outstanding_hold_amount: o.hold.toFixed(),
      limit_price: o.limitPrice?.toFixed() ?? '0',
      stop_price: o.stopPrice?.toFixed() ?? '0',
    }
  }

  /** What each order looked like when last pushed: status and running total. */
  const seen = new Map<string, string>()
  const stateOf = (o: FakeCoinbaseOrder) => `${wsStatus(o)} ${o.filled.toFixed()}`
  for (const o of rest.orders) seen.set(o.order_id, stateOf(o))

  function onBookChange() {
    for (const o of rest.orders) {
      const now = stateOf(o)
      if (seen.get(o.order_id) === now) continue
      seen.set(o.order_id, now)
      const update = wsOrder(o)
      updates.push(update)
      if (!lose?.(update)) deliver(update)
    }
  }
  const unlisten = rest.onBookChange(onBookChange)

  return {
    url: rest.url.replace(/^http/, 'ws'),
    received,
    updates,
    connectionAttempts: endpoint.connectionAttempts,
    userSubscriptions: () => [...connections].filter((c) => c.ws.readyState === c.ws.OPEN && c.channels.has('user')).length,
    setLoss(f) {
      lose = f
    },
    resend: (list) => list.reduce((n, o) => n + deliver(o), 0),
    drop() {
      for (const c of connections) {
        if (c.heartbeat) clearInterval(c.heartbeat)
        c.ws.terminate()
      }
      connections.clear()
    },
    refuse: endpoint.refuse,
    async close() {
      unlisten()
      for (const c of connections) {
        if (c.heartbeat) clearInterval(c.heartbeat)
        c.ws.terminate()
      }
      connections.clear()
      await endpoint.close()
    },
  }
}

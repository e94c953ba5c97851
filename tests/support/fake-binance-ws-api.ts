import { createHmac, timingSafeEqual } from 'node:crypto'
import type { WebSocket } from 'ws'
import { dec } from '@/lib/domain/decimal'
import type { FakeBinanceSpot, FakeSpotOrder, FakeSpotTrade } from './fake-binance-spot'
import { serveWebsocket } from './fake-ws-endpoint'

/**
 * The part of Binance's spot WebSocket API (wss://ws-api.binance.com:443/ws-api/v3) that ccxt pro
 * 4.5.84 uses for spot `watchOrders` / `watchMyTrades` (see lib/exchange/ccxt/binance-order-stream.ts),
 * served on the REST fake's own port at /ws-api/v3 (the adapter derives its websocket host from the
 * account's REST base URL):
 * - `{"id","method":"userDataStream.subscribe.signature","params":{apiKey,timestamp,[recvWindow],signature}}`:
 *   the HMAC-SHA256 of the other parameters sorted by name (`k=v&...`) is checked with the REST
 *   fake's secret, the key and the timestamp too, as Binance does. Answer
 *   `{"id","status":200,"result":{"subscriptionId":n}}`, or `{"id","status":400|401,"error":{"code","msg"}}`
 *   (-1022 bad signature, -2015 unknown key, -1021 outside recvWindow, -1102 missing parameter).
 *   `userDataStream.unsubscribe` and `session.subscriptions` are answered; other methods get an error.
 * - Then every change of an order in the REST fake's book is pushed to each subscription as
 *   `{"subscriptionId":n,"event":{"e":"executionReport",...}}`: NEW when accepted; NEW again with
 *   `w: true` when a stop triggers (it starts working); one TRADE per trade (l/L/n/N/t/m of that
 *   trade, z the running total); CANCELED (`c` = the cancel request's id, `C` = the order's own
 *   id); EXPIRED (an OCO leg whose sibling traded, a market order out of liquidity).
 * Tests can drop connections, refuse new ones, lose or resend events.
 */

export interface ExecutionReportEvent {
  e: 'executionReport'
  E: number
  s: string
  c: string
  S: string
  o: string
  f: string
  q: string
  p: string
  P: string
  F: string
  g: number
  C: string
  x: 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED'
  X: string
  r: string
  i: number
  l: string
  z: string
  L: string
  n: string
  N: string | null
  T: number
  t: number
  I: number
  w: boolean
  m: boolean
  M: boolean
  O: number
  Z: string
  Y: string
  Q: string
  W?: number
  V: string
}

export interface FakeBinanceWsApi {
  /** What ccxt will dial: the REST fake's URL as ws, with Binance's path. */
  url: string
  /** Every message received from clients, in order. */
  received: { at: number; message: Record<string, unknown> }[]
  /** Every executionReport produced by the book, in order, whether it was delivered or lost. */
  events: ExecutionReportEvent[]
  /** Upgrade requests seen (refused ones included). */
  connectionAttempts: { at: number; refused: boolean }[]
  /** Open subscriptions (over all connections). */
  subscriptions(): number
  /** While set, an event for which it returns false is not delivered (lost, as during an outage). */
  setLoss(lose: ((e: ExecutionReportEvent) => boolean) | undefined): void
  /** Delivers these events again, as they were (a duplicate delivery). Returns how many were sent. */
  resend(events: ExecutionReportEvent[]): number
  /** Sends `eventStreamTerminated` to every subscription and ends them (the connections stay open). */
  terminateSubscriptions(): void
  /** Cuts every open connection without a close handshake (as a network failure does). */
  drop(): void
  /** While on, websocket upgrades are answered with HTTP 503 and no connection is made. */
  refuse(on: boolean): void
  close(): Promise<void>
}

interface Connection {
  ws: WebSocket
  /** subscriptionId → the API key it was made with. */
  subs: Map<number, string>
}

const PATH = '/ws-api/v3'
const fmt = (d: { toFixed(n: number): string }) => d.toFixed(8)

export function startFakeBinanceWsApi(rest: FakeBinanceSpot): FakeBinanceWsApi {
  const connections = new Set<Connection>()
  const received: FakeBinanceWsApi['received'] = []
  const events: ExecutionReportEvent[] = []
  let lose: ((e: ExecutionReportEvent) => boolean) | undefined
  let nextSubscriptionId = 0
  let nextEventSeq = 1

  const endpoint = serveWebsocket(rest.server, PATH, (ws) => {
    const c: Connection = { ws, subs: new Map() }
    connections.add(c)
    ws.on('close', () => connections.delete(c))
    ws.on('error', () => connections.delete(c))
    ws.on('message', (data) => onMessage(c, data.toString()))
  })

  function onMessage(c: Connection, text: string) {
    let msg: { id?: unknown; method?: unknown; params?: unknown }
    try {
      msg = JSON.parse(text) as typeof msg
    } catch {
      c.ws.send(JSON.stringify({ id: null, status: 400, error: { code: -1100, msg: 'Illegal characters found in a parameter.' } }))
      return
    }
    received.push({ at: Date.now(), message: msg as Record<string, unknown> })
    const id = msg.id ?? null
    const ok = (result: unknown) => c.ws.send(JSON.stringify({ id, status: 200, result }))
    const fail = (status: number, code: number, m: string) => c.ws.send(JSON.stringify({ id, status, error: { code, msg: m } }))
    const params = (msg.params ?? {}) as Record<string, unknown>
    switch (msg.method) {
      case 'userDataStream.subscribe.signature': {
        const refusal = checkSignature(params)
        if (refusal) return fail(refusal.status, refusal.code, refusal.msg)
        const subscriptionId = nextSubscriptionId++
        c.subs.set(subscriptionId, String(params.apiKey))
        return ok({ subscriptionId })
      }
      case 'userDataStream.unsubscribe': {
        if (params.subscriptionId === undefined) c.subs.clear()
        else c.subs.delete(Number(params.subscriptionId))
        return ok({})
      }
      case 'session.subscriptions':
        return ok([...c.subs.keys()].map((subscriptionId) => ({ subscriptionId })))
      default:
        return fail(400, -1020, 'Unsupported operation.')
    }
  }

  /** Binance's checks of a signed WebSocket API request, in its order: parameters, key, signature, time. */
  function checkSignature(p: Record<string, unknown>): { status: number; code: number; msg: string } | null {
    for (const name of ['apiKey', 'timestamp', 'signature']) {
      if (p[name] === undefined || p[name] === '') return { status: 400, code: -1102, msg: `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.` }
    }
    if (p.apiKey !== rest.apiKey) return { status: 401, code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' }
    const payload = Object.keys(p)
      .filter((k) => k !== 'signature')
      .sort()
      .map((k) => `${k}=${String(p[k])}`)
      .join('&')
    const want = createHmac('sha256', rest.secret).update(payload).digest()
    const got = Buffer.from(String(p.signature), 'hex')
    if (got.length !== want.length || !timingSafeEqual(got, want)) return { status: 400, code: -1022, msg: 'Signature for this request is not valid.' }
    const ts = Number(p.timestamp)
    const recvWindow = Number(p.recvWindow ?? 5000)
    if (!Number.isFinite(ts) || ts > Date.now() + 1000 || Date.now() - ts > recvWindow) {
      return { status: 400, code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' }
    }
    return null
  }

  function deliver(ev: ExecutionReportEvent): number {
    let sent = 0
    for (const c of connections) {
      if (c.ws.readyState !== c.ws.OPEN) continue
      for (const [subscriptionId, key] of c.subs) {
        if (key !== rest.apiKey) continue
        c.ws.send(JSON.stringify({ subscriptionId, event: ev }))
        sent++
      }
    }
    return sent
  }

  // ---- the book's changes as execution reports -----------------------------------------------

  /** What each order looked like when last reported, and how many trades were reported. */
  const seen = new Map<number, { status: string; triggered: boolean }>()
  let tradesSeen = rest.trades.length
  for (const o of rest.orders) seen.set(o.orderId, { status: o.status, triggered: o.triggered })

  function report(o: FakeSpotOrder, x: ExecutionReportEvent['x'], at: { X: string; z: string; Z: string; working: boolean; trade?: FakeSpotTrade }): ExecutionReportEvent {
    const now = Date.now()
    const t = at.trade
    const canceled = x === 'CANCELED'
    return {
      e: 'executionReport',
      E: now,
      s: o.symbol,
      c: canceled ? `cancel-${o.orderId}` : o.clientOrderId,
      S: o.side,
      o: o.type,
      f: o.timeInForce,
      q: fmt(o.origQty),
      p: fmt(o.price),
      P: fmt(o.stopPrice),
      F: '0.00000000',
      g: o.orderListId,
      C: canceled ? o.clientOrderId : '',
      x,
      X: at.X,
      r: 'NONE',
      i: o.orderId,
      l: t ? fmt(t.qty) : '0.00000000',
      z: at.z,
      L: t ? fmt(t.price) : '0.00000000',
      n: t ? fmt(t.commission) : '0',
      N: t ? t.commissionAsset : null,
      T: t ? t.time : now,
      t: t ? t.id : -1,
      I: nextEventSeq++,
      w: at.working,
      m: t ? t.isMaker : false,
      M: false,
      O: o.time,
      Z: at.Z,
      Y: t ? fmt(t.quoteQty) : '0.00000000',
      Q: '0.00000000',
      ...(at.working ? { W: o.time } : {}),
      V: 'EXPIRE_MAKER',
    }
  }

  const isStop = (o: FakeSpotOrder) => o.type.startsWith('STOP_LOSS') || o.type.startsWith('TAKE_PROFIT')

  function onBookChange() {
    const produced: ExecutionReportEvent[] = []
    const newTrades = rest.trades.slice(tradesSeen)
    tradesSeen = rest.trades.length
    for (const o of rest.orders) {
      const before = seen.get(o.orderId)
      const mine = newTrades.filter((t) => t.orderId === o.orderId)
      const earlier = rest.trades.filter((t) => t.orderId === o.orderId && !mine.includes(t))
      let z = earlier.reduce((s, t) => s.plus(t.qty), dec(0))
      let quote = earlier.reduce((s, t) => s.plus(t.quoteQty), dec(0))
      const statusBefore = before?.status ?? 'NEW'
      if (!before) produced.push(report(o, 'NEW', { X: 'NEW', z: fmt(z), Z: fmt(quote), working: !isStop(o) }))
      if (o.triggered && !before?.triggered) produced.push(report(o, 'NEW', { X: statusBefore, z: fmt(z), Z: fmt(quote), working: true }))
      for (const t of mine) {
        z = z.plus(t.qty)
        quote = quote.plus(t.quoteQty)
        const X = z.gte(o.origQty) ? 'FILLED' : 'PARTIALLY_FILLED'
        produced.push(report(o, 'TRADE', { X, z: fmt(z), Z: fmt(quote), working: X !== 'FILLED', trade: t }))
      }
      if ((o.status === 'CANCELED' || o.status === 'EXPIRED') && statusBefore !== o.status) {
        produced.push(report(o, o.status, { X: o.status, z: fmt(z), Z: fmt(quote), working: false }))
      }
      seen.set(o.orderId, { status: o.status, triggered: o.triggered })
    }
    for (const ev of produced) {
      events.push(ev)
      if (!lose?.(ev)) deliver(ev)
    }
  }
  const unlisten = rest.onBookChange(onBookChange)

  const url = rest.url.replace(/^http/, 'ws') + PATH
  return {
    url,
    received,
    events,
    connectionAttempts: endpoint.connectionAttempts,
    subscriptions: () => [...connections].reduce((n, c) => n + (c.ws.readyState === c.ws.OPEN ? c.subs.size : 0), 0),
    setLoss(f) {
      lose = f
    },
    resend: (list) => list.reduce((n, ev) => n + deliver(ev), 0),
    terminateSubscriptions() {
      for (const c of connections) {
        for (const subscriptionId of c.subs.keys()) c.ws.send(JSON.stringify({ subscriptionId, event: { e: 'eventStreamTerminated', E: Date.now() } }))
        c.subs.clear()
      }
    },
    drop() {
      for (const c of connections) c.ws.terminate()
      connections.clear()
    },
    refuse: endpoint.refuse,
    async close() {
      unlisten()
      for (const c of connections) c.ws.terminate()
      connections.clear()
      await endpoint.close()
    },
  }
}

import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { dec } from '@/lib/domain/decimal'
import type { FakeBinance } from './fake-binance'

/**
 * A local websocket server that speaks the part of Binance's public spot stream API
 * (wss://stream.binance.com:9443/ws) that ccxt pro's `watchBidsAsks` uses, read in ccxt 4.5.84
 * js/src/pro/binance.js:
 * - ccxt connects to `<ws base>/ws/<n>` (n = its stream index, '0' for the first set of symbols)
 *   and sends `{"method":"SUBSCRIBE","params":["btcusdt@bookTicker",...],"id":1}`;
 * - Binance answers `{"result":null,"id":1}` (an unknown method or stream name gets
 *   `{"error":{"code":2,"msg":"Invalid request: ..."},"id":1}`, which ccxt turns into a rejection);
 * - then, on every change of a symbol's best bid or ask, a raw (not combined) payload without an
 *   event type: `{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}`.
 *   Nothing is sent at subscription time: Binance only reports changes.
 * UNSUBSCRIBE and LIST_SUBSCRIPTIONS are answered too. Prices and quantities come from the REST
 * fake, so a REST snapshot and the stream agree unless a test pushes a tick to the stream alone.
 */

export interface FakeBinanceStream {
  /** MARKET_DATA_WS_URL for this server (ccxt appends `/ws/<n>`). */
  url: string
  /**
   * A change of the symbol's best bid/ask: set on the REST fake too (unless `rest: false`, a tick
   * only the stream knows about) and sent to every connection subscribed to the symbol.
   * Returns how many connections it was sent to.
   */
  push(symbol: string, bid: string, ask: string, opts?: { rest?: boolean }): number
  /** Cuts every open connection without a close handshake (as a network failure does). */
  drop(): void
  /** While on, websocket upgrades are answered with HTTP 503 and no connection is made. */
  refuse(on: boolean): void
  /** Open connections subscribed to the symbol's bookTicker. */
  subscribers(symbol: string): number
  /** Every message received from clients, in order, with the connection's path and the time. */
  received: { at: number; path: string; message: unknown }[]
  /** Upgrade requests seen (refused ones included), in order. */
  connectionAttempts: { at: number; path: string; refused: boolean }[]
  close(): Promise<void>
}

interface Connection {
  ws: WebSocket
  path: string
  streams: Set<string>
}

export async function startFakeBinanceStream(opts: { rest: FakeBinance; port?: number }): Promise<FakeBinanceStream> {
  const { rest, port = 0 } = opts
  const connections = new Set<Connection>()
  const received: FakeBinanceStream['received'] = []
  const connectionAttempts: FakeBinanceStream['connectionAttempts'] = []
  let refusing = false

  const wss = new WebSocketServer({ noServer: true })
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain' })
    res.end('websocket only')
  })

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname
    connectionAttempts.push({ at: Date.now(), path, refused: refusing })
    if (refusing || !/^\/ws(\/[^/]*)?$/.test(path)) {
      const status = refusing ? '503 Service Unavailable' : '404 Not Found'
      socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const c: Connection = { ws, path, streams: new Set() }
      connections.add(c)
      ws.on('close', () => connections.delete(c))
      ws.on('error', () => connections.delete(c))
      ws.on('message', (data) => onMessage(c, data.toString()))
    })
  })

  /** A stream name this fake serves: `<lowercase symbol id>@bookTicker` for a listed symbol. */
  const validStream = (name: unknown): name is string => {
    if (typeof name !== 'string') return false
    const m = /^([a-z0-9]+)@bookTicker$/.exec(name)
    if (!m) return false
    try {
      rest.bookTicker(m[1]!.toUpperCase())
      return true
    } catch {
      return false
    }
  }

  function onMessage(c: Connection, text: string) {
    let msg: { method?: unknown; params?: unknown; id?: unknown }
    try {
      msg = JSON.parse(text) as typeof msg
    } catch {
      c.ws.send(JSON.stringify({ error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' }, id: null }))
      return
    }
    received.push({ at: Date.now(), path: c.path, message: msg })
    const id = msg.id ?? null
    const reply = (body: Record<string, unknown>) => c.ws.send(JSON.stringify({ ...body, id }))
    if (typeof msg.id !== 'number' || !Number.isInteger(msg.id) || msg.id < 0) {
      reply({ error: { code: 2, msg: 'Invalid request: request ID must be an unsigned integer' } })
      return
    }
    switch (msg.method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        const params = msg.params
        if (!Array.isArray(params) || !params.every(validStream)) {
          reply({ error: { code: 2, msg: 'Invalid request: invalid stream' } })
          return
        }
        for (const p of params) {
          if (msg.method === 'SUBSCRIBE') c.streams.add(p)
          else c.streams.delete(p)
        }
        reply({ result: null })
        return
      }
      case 'LIST_SUBSCRIPTIONS':
        reply({ result: [...c.streams] })
        return
      default:
        reply({ error: { code: 2, msg: 'Invalid request: unknown variable' } })
    }
  }

  function push(symbol: string, bid: string, ask: string, o: { rest?: boolean } = {}): number {
    if (o.rest !== false) rest.setPrice(symbol, bid, ask)
    const t = rest.bookTicker(symbol)
    // A stream-only tick keeps the REST book's quantities and update id, one ahead of it.
    const payload = JSON.stringify({
      u: o.rest === false ? t.updateId + 1 : t.updateId,
      s: t.symbol,
      b: o.rest === false ? dec(bid).toFixed(8) : t.bidPrice,
      B: t.bidQty,
      a: o.rest === false ? dec(ask).toFixed(8) : t.askPrice,
      A: t.askQty,
    })
    const stream = `${t.symbol.toLowerCase()}@bookTicker`
    let sent = 0
    for (const c of connections) {
      if (c.streams.has(stream) && c.ws.readyState === c.ws.OPEN) {
        c.ws.send(payload)
        sent++
      }
    }
    return sent
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const address = server.address() as AddressInfo

  return {
    url: `ws://127.0.0.1:${address.port}`,
    push,
    drop() {
      for (const c of connections) c.ws.terminate()
      connections.clear()
    },
    refuse(on) {
      refusing = on
    },
    subscribers(symbol) {
      const stream = `${rest.bookTicker(symbol).symbol.toLowerCase()}@bookTicker`
      return [...connections].filter((c) => c.streams.has(stream) && c.ws.readyState === c.ws.OPEN).length
    },
    received,
    connectionAttempts,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const c of connections) c.ws.terminate()
        connections.clear()
        wss.close()
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      }),
  }
}

import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'

/** A websocket path served on a REST fake's own port, as the exchange fakes use it. */
export interface FakeWsEndpoint {
  /** Upgrade requests seen (refused ones included). */
  connectionAttempts: { at: number; refused: boolean }[]
  /** While on, websocket upgrades are answered with HTTP 503 and no connection is made. */
  refuse(on: boolean): void
  /** Stops serving upgrades and closes the websocket server (connections are the caller's). */
  close(): Promise<void>
}

/** Serves websocket upgrades of `path` on `server`; any other path is a 404. */
export function serveWebsocket(server: Server, path: string, onConnection: (ws: WebSocket) => void): FakeWsEndpoint {
  const connectionAttempts: FakeWsEndpoint['connectionAttempts'] = []
  let refusing = false
  const wss = new WebSocketServer({ noServer: true })
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client giving up on a refused or cut connection resets it: not an error of this server.
    socket.on('error', () => {})
    const asked = new URL(req.url ?? '/', 'http://fake').pathname
    connectionAttempts.push({ at: Date.now(), refused: refusing })
    if (refusing || asked !== path) {
      const status = refusing ? '503 Service Unavailable' : '404 Not Found'
      socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)
      return
    }
    wss.handleUpgrade(req, socket, head, onConnection)
  }
  server.on('upgrade', onUpgrade)
  return {
    connectionAttempts,
    refuse(on) {
      refusing = on
    },
    async close() {
      server.off('upgrade', onUpgrade)
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
}

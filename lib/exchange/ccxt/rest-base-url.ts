/**
 * Pointing a ccxt exchange at another REST host (a local fake, a proxy), keeping its paths. Shared
 * by the live adapters so the URL rules are the same for every venue.
 */

/** An http(s) base URL without query, fragment or trailing slash; `venue` names it in errors. */
export function normaliseBaseUrl(raw: string, venue: string): string {
  const url = new URL(raw)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${venue} base URL must be http(s), got "${raw}"`)
  if (url.search || url.hash) throw new Error(`${venue} base URL must not carry a query or fragment: "${raw}"`)
  return url.toString().replace(/\/+$/, '')
}

/** Every REST entry of a ccxt `urls.api` is pointed at `base` (paths kept), so nothing can leave for another host. */
export function rewriteHosts<T>(api: T, base: string): T {
  if (typeof api === 'string') return api.replace(/^https?:\/\/[^/]+/, base) as T
  if (api && typeof api === 'object') return Object.fromEntries(Object.entries(api).map(([k, v]) => [k, rewriteHosts(v, base)])) as T
  return api
}

/**
 * The websocket base that goes with a REST base URL: the same host, port and path prefix, ws for
 * http and wss for https. A gateway or local server that replaces an exchange's REST host is
 * expected to serve its websocket paths too (Binance: /ws-api/v3), so an account needs no second
 * URL and no private stream can leave for the exchange's own host.
 */
export function websocketBaseFor(base: string): string {
  return base.replace(/^http(s?):\/\//, 'ws$1://')
}

/** Every websocket entry of a ccxt `urls.api` (ws:// or wss://) is pointed at `wsBase`, paths kept. */
export function rewriteWebsocketHosts<T>(api: T, wsBase: string): T {
  if (typeof api === 'string') return api.replace(/^wss?:\/\/[^/]+/, wsBase) as T
  if (api && typeof api === 'object') return Object.fromEntries(Object.entries(api).map(([k, v]) => [k, rewriteWebsocketHosts(v, wsBase)])) as T
  return api
}

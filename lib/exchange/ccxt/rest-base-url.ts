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

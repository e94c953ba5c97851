type HeaderSource = Headers | Record<string, string | string[] | undefined>

function header(source: HeaderSource, name: string): string | undefined {
  if (source instanceof Headers) return source.get(name) ?? undefined
  const v = source[name] ?? source[name.toLowerCase()]
  return Array.isArray(v) ? v.join(',') : v
}

/**
 * The client address used to key rate limits. Next.js route handlers never see the socket; its
 * server copies the socket address into `x-forwarded-for` only when the request has none
 * (`??=` in next/dist/server/base-server.js). So we take the LAST hop of x-forwarded-for:
 * - no proxy, honest client: the socket address Next put there;
 * - behind a proxy that appends (nginx `$proxy_add_x_forwarded_for`, Caddy, Traefik): the address
 *   the proxy saw, which the client cannot forge (the first hop is whatever the client sent).
 * Without a proxy a client can send its own x-forwarded-for and choose its key; the per-account
 * limit still holds for it. Null when there is no address at all (in-process calls).
 */
export function clientAddress(source: HeaderSource): string | null {
  const forwarded = header(source, 'x-forwarded-for')
  const hops = (forwarded ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean)
  const last = hops.at(-1) ?? header(source, 'x-real-ip')?.trim()
  if (!last) return null
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is the same client as 127.0.0.1.
  return last.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1').slice(0, 100)
}

import { webhookPath } from './webhook-secret'

/**
 * The webhook's full URL as the sender must use it: the origin the user reached the app at (behind
 * a proxy, the forwarded host and scheme), from a request's headers.
 */
export function webhookUrl(headers: Headers, traderId: string, fallbackOrigin = 'http://localhost'): string {
  const fallback = new URL(fallbackOrigin)
  const host = first(headers.get('x-forwarded-host')) ?? headers.get('host') ?? fallback.host
  const proto = first(headers.get('x-forwarded-proto')) ?? fallback.protocol.replace(':', '')
  return `${proto}://${host}${webhookPath(traderId)}`
}

const first = (v: string | null) => v?.split(',')[0]?.trim() || null

import { webhookPath } from './webhook-secret'

/**
 * The webhook's full URL as the sender must use it: this request's origin (behind a proxy, the
 * forwarded host and scheme), so it is the address the user reached the app at.
 */
export function webhookUrl(req: Request, traderId: string): string {
  const url = new URL(req.url)
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host') ?? url.host
  const proto = req.headers.get('x-forwarded-proto') ?? url.protocol.replace(':', '')
  return `${proto}://${host}${webhookPath(traderId)}`
}

import { timingSafeEqual } from 'node:crypto'
import { AppError, unauthenticated } from '@/lib/server/errors/app-error'

/**
 * Scrapers have no browser session: /api/metrics takes `Authorization: Bearer <METRICS_TOKEN>`.
 * With no token configured the endpoint does not exist (404), so a default install publishes
 * nothing; a missing or wrong token is a 401.
 */
export function assertMetricsAccess(req: Request, token: string | undefined): void {
  if (!token) throw new AppError('NOT_FOUND', 'metrics are off: set METRICS_TOKEN to scrape /api/metrics with it as a bearer token')
  const sent = /^Bearer\s+(.+)$/i.exec(req.headers.get('authorization') ?? '')?.[1]?.trim()
  if (!sent) throw unauthenticated('send METRICS_TOKEN as "Authorization: Bearer <token>"')
  const a = Buffer.from(sent)
  const b = Buffer.from(token)
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw unauthenticated('wrong metrics token')
}

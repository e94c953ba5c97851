import { env } from '@/lib/config/env'
import { apiRoute } from '@/lib/server/http/api-route'
import { otherMethods } from '@/lib/server/http/method-not-allowed'
import { assertMetricsAccess } from '@/lib/server/metrics/metrics-access'
import { renderMetrics } from '@/lib/server/metrics/execution-metrics'

export const dynamic = 'force-dynamic'

/** GET → Prometheus text exposition; bearer METRICS_TOKEN (no user session). */
export const GET = apiRoute(async ({ req, db }) => {
  const cfg = env()
  assertMetricsAccess(req, cfg.METRICS_TOKEN)
  const { body, contentType } = await renderMetrics({ db, stuckAfterMs: cfg.ALERT_ORDER_STUCK_MS })
  return new Response(body, { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' } })
}, 'public')

export const { POST, PUT, PATCH, DELETE } = otherMethods('GET')

import { env } from '@/lib/config/env'
import { db } from '@/lib/db/client'
import { getHealth, type Health } from '@/lib/server/health/get-health'

/** Health as /api/health reports it, for server-rendered pages (the browser refetches /api/health). */
export function loadHealth(): Promise<Health> {
  const cfg = env()
  return getHealth({ db: db(), heartbeatMs: cfg.WORKER_HEARTBEAT_MS, staleAfterMs: cfg.MARKET_STALE_AFTER_MS, liveTradingEnabled: cfg.LIVE_TRADING_ENABLED })
}

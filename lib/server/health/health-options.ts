import { env } from '@/lib/config/env'
import type { DbTx } from '@/lib/db/client'
import type { GetHealthOptions } from './get-health'

/** getHealth's options from the configuration, for /api/health and the pages that render health. */
export function healthOptions(db: DbTx | null): GetHealthOptions {
  const cfg = env()
  return {
    db,
    heartbeatMs: cfg.WORKER_HEARTBEAT_MS,
    staleAfterMs: cfg.MARKET_STALE_AFTER_MS,
    liveTradingEnabled: cfg.LIVE_TRADING_ENABLED,
    disk: { dir: cfg.DATABASE_DATA_DIR, lowBelowMb: cfg.DISK_LOW_FREE_MB },
  }
}

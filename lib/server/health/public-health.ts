import type { Health } from './get-health'

/**
 * What /api/health tells a caller that is not signed in: the verdict and whether each part is
 * ok, enough for an uptime monitor or a load balancer. The details (error messages, which can
 * name hosts and addresses, the feed's source, timings, the disk's free bytes) are for signed-in
 * users and API tokens only.
 */
export interface PublicHealth {
  status: Health['status']
  /** Always true: marks this view, so a client that expected the details can tell it got this one. */
  public: true
  database: { ok: boolean }
  worker: { ok: boolean; count: number }
  marketData: { ok: boolean; idle: boolean }
  liveTrading: { enabled: boolean }
  disk: { ok: boolean } | null
}

export function publicHealth(h: Health): PublicHealth {
  return {
    status: h.status,
    public: true,
    database: { ok: h.database.ok },
    worker: { ok: h.worker.ok, count: h.worker.count },
    marketData: { ok: h.marketData.ok, idle: h.marketData.idle },
    liveTrading: { enabled: h.liveTrading.enabled },
    disk: h.disk && { ok: h.disk.ok },
  }
}

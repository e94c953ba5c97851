import { z } from 'zod'
import type { Db } from '@/lib/db/client'
import type { Env } from '@/lib/config/env'
import type { FeedConfig } from '@/lib/market-data/create-feed'

export const MARKET_DATA_SETTING = 'marketData'
export const ZMarketDataSetting = z.object({ kind: z.enum(['exchange', 'simulated']) })

/** The feed the user chose in Settings, else the environment's default. */
export async function feedConfig(db: Db, cfg: Env): Promise<FeedConfig> {
  const row = await db.setting.findUnique({ where: { key: MARKET_DATA_SETTING } })
  const chosen = row ? ZMarketDataSetting.safeParse(row.value) : null
  const kind = chosen?.success ? chosen.data.kind : cfg.MARKET_DATA_SOURCE
  return {
    kind,
    exchangeId: cfg.MARKET_DATA_EXCHANGE,
    marketDataUrl: cfg.MARKET_DATA_URL,
    seed: cfg.SIM_SEED,
    replayCsv: cfg.SIM_REPLAY_CSV,
  }
}

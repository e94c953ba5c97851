import type { Db } from '@/lib/db/client'
import type { Env } from '@/lib/config/env'
import type { FeedConfig } from '@/lib/market-data/create-feed'
import { getMarketDataSetting } from '@/lib/server/settings/market-data-setting'

/** The feed the user chose in Settings, else the environment's default. */
export async function feedConfig(db: Db, cfg: Env): Promise<FeedConfig> {
  const { kind } = await getMarketDataSetting(db, cfg.MARKET_DATA_SOURCE)
  return {
    kind,
    exchangeId: cfg.MARKET_DATA_EXCHANGE,
    marketDataUrl: cfg.MARKET_DATA_URL,
    marketDataWsUrl: cfg.MARKET_DATA_WS_URL,
    seed: cfg.SIM_SEED,
    replayCsv: cfg.SIM_REPLAY_CSV,
  }
}

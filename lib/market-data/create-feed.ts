import { createCandleReplayFeed } from '@/lib/market-data/candle-replay-feed'
import { createCcxtFeed } from '@/lib/market-data/ccxt-feed'
import { MarketDataError, type MarketDataFeed } from '@/lib/market-data/feed'
import { createSimulatedFeed } from '@/lib/market-data/simulated-feed'

export interface FeedConfig {
  kind: 'exchange' | 'simulated'
  exchangeId?: string
  marketDataUrl?: string
  /** MARKET_DATA_WS_URL: a ws(s) URL, 'off', or unset (see createCcxtFeed's wsUrl). */
  marketDataWsUrl?: string
  seed?: number
  /** Path of a candle CSV; with kind 'simulated' it selects the replay feed over the random walk. */
  replayCsv?: string
  /** Symbol the replay CSV belongs to (default 'BTC/USDT'). */
  replaySymbol?: string
}

// Grids for replayed symbols; the same ones the random walk uses for these markets.
const REPLAY_GRIDS: Record<string, { tickSize: string; stepSize: string }> = {
  'BTC/USDT': { tickSize: '0.01', stepSize: '0.00001' },
  'ETH/USDT': { tickSize: '0.01', stepSize: '0.0001' },
  'SOL/USDT': { tickSize: '0.01', stepSize: '0.001' },
}

/**
 * Picks the feed the configuration names. An exchange feed that cannot reach its exchange
 * reports errors; it never quietly turns into a simulation, because a user must never take
 * simulated prices for real ones.
 */
export function createFeed(config: FeedConfig): MarketDataFeed {
  switch (config.kind) {
    case 'exchange':
      return createCcxtFeed({ exchangeId: config.exchangeId ?? 'binance', baseUrl: config.marketDataUrl, wsUrl: config.marketDataWsUrl })
    case 'simulated': {
      if (config.replayCsv === undefined) return createSimulatedFeed({ seed: config.seed })
      const symbol = config.replaySymbol ?? 'BTC/USDT'
      const grid = REPLAY_GRIDS[symbol]
      if (!grid) {
        throw new MarketDataError(`No tick/step grid known for replay symbol ${symbol}; known: ${Object.keys(REPLAY_GRIDS).join(', ')}`, false, symbol)
      }
      return createCandleReplayFeed({ csvPath: config.replayCsv, symbol, ...grid })
    }
    default: {
      const kind: never = config.kind
      throw new MarketDataError(`Unknown market data kind: ${String(kind)}`, false)
    }
  }
}

import type { Timeframe } from '@/lib/domain/market/candle'

/** GET /api/v1/markets/{symbol}/candles for a unified symbol: the path takes BTC-USDT for BTC/USDT. */
export function candlesUrl(symbol: string, timeframe: Timeframe, limit: number): string {
  return `/api/v1/markets/${encodeURIComponent(symbol.replace('/', '-'))}/candles?timeframe=${timeframe}&limit=${limit}`
}

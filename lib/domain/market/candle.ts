import type { Decimal } from '@/lib/domain/decimal'

/** One OHLCV bar. Series of candles are always ordered oldest first. */
export interface Candle {
  /** Start of the bar, epoch milliseconds. */
  openTime: number
  open: Decimal
  high: Decimal
  low: Decimal
  close: Decimal
  /** Traded volume in the base currency. */
  volume: Decimal
}

export const TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '1d'] as const
export type Timeframe = (typeof TIMEFRAMES)[number]

const MINUTE_MS = 60_000

const TIMEFRAME_MS: Record<Timeframe, number> = {
  '1m': MINUTE_MS,
  '5m': 5 * MINUTE_MS,
  '15m': 15 * MINUTE_MS,
  '1h': 60 * MINUTE_MS,
  '4h': 240 * MINUTE_MS,
  '1d': 1_440 * MINUTE_MS,
}

/** Length of one bar of this timeframe in milliseconds. */
export function timeframeMs(tf: Timeframe): number {
  return TIMEFRAME_MS[tf]
}

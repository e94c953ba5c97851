import { dec, maxDec, type Decimal } from '@/lib/domain/decimal'
import { exponentialSmoothing } from '@/lib/domain/indicators/ema'
import type { Candle } from '@/lib/domain/market/candle'

/** The bar's range widened to include a gap from the previous close. */
export function trueRange(candle: Candle, prevClose: Decimal): Decimal {
  return maxDec(
    candle.high.minus(candle.low),
    candle.high.minus(prevClose).abs(),
    candle.low.minus(prevClose).abs(),
  )
}

/**
 * Wilder's average true range. True ranges start at the second candle (each needs the previous
 * close), so `period + 1` candles give the first value: the mean of the first `period` true
 * ranges; later values are ATR = (prevATR × (period − 1) + TR) / period.
 * `result[i]` belongs to `candles[i + period]`; too few candles give [].
 */
export function atr(candles: readonly Candle[], period: number): Decimal[] {
  const ranges = candles.slice(1).map((c, i) => trueRange(c, candles[i].close))
  return exponentialSmoothing(ranges, period, dec(1).div(period))
}

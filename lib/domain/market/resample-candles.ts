import { maxDec, minDec } from '@/lib/domain/decimal'
import type { Candle } from './candle'

/**
 * Groups candles (or ticks given as one-price candles) into bars of `tfMs`, aligned to the
 * epoch like exchanges do. Input is oldest first; so is the output. Empty buckets are skipped.
 */
export function resampleCandles(candles: readonly Candle[], tfMs: number): Candle[] {
  const out: Candle[] = []
  for (const c of candles) {
    const openTime = Math.floor(c.openTime / tfMs) * tfMs
    const last = out[out.length - 1]
    if (last && last.openTime === openTime) {
      out[out.length - 1] = {
        openTime,
        open: last.open,
        high: maxDec(last.high, c.high),
        low: minDec(last.low, c.low),
        close: c.close,
        volume: last.volume.plus(c.volume),
      }
    } else {
      out.push({ ...c, openTime })
    }
  }
  return out
}

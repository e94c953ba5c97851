import { dec, type Decimal } from '@/lib/domain/decimal'
import { roundPriceToTick } from '@/lib/domain/market/precision'

/**
 * A native stop rests on spot exchanges as a stop-limit (Binance spot and Coinbase have no
 * stop-market for most markets): on its trigger it becomes a limit order this far beyond the
 * trigger (0.01 = 1 %, freqtrade's 0.99 ratio). A price that jumps past that limit leaves it
 * resting unfilled, which is why the worker watches the limit too.
 */
export const DEFAULT_STOP_LIMIT_OFFSET = dec('0.01')

/** The offset, checked: at most 50 % beyond the trigger. */
export function stopLimitOffsetOf(offset: Decimal | undefined): Decimal {
  const o = offset ?? DEFAULT_STOP_LIMIT_OFFSET
  if (!o.gt(0) || !o.lt('0.5')) throw new Error(`stopLimitOffset must be between 0 and 0.5, got ${o.toFixed()}`)
  return o
}

/**
 * The limit of a stop-limit standing in for a STOP_MARKET: beyond the trigger by the offset and
 * rounded further out, so the triggered order still fills in a gap.
 */
export function stopLimitPrice(trigger: Decimal, side: 'BUY' | 'SELL', offset: Decimal, tickSize: Decimal): Decimal {
  const sell = side === 'SELL'
  return roundPriceToTick(trigger.mul(sell ? dec(1).minus(offset) : dec(1).plus(offset)), tickSize, sell ? 'DOWN' : 'UP')
}

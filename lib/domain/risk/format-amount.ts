import type { Decimal } from '@/lib/domain/decimal'

const MESSAGE_DECIMALS = 2

/** An amount for a message: at most `decimals` places (half-up), trailing zeros dropped. */
export function formatAmount(value: Decimal, decimals = MESSAGE_DECIMALS): string {
  return value.isFinite() ? value.toDecimalPlaces(decimals).toFixed() : value.toFixed()
}

/**
 * Two amounts compared in one message, with just enough places that they do not read as equal
 * when they differ ("1000.004 exceeds 1000", not "1000 exceeds 1000").
 */
export function formatCompared(value: Decimal, limit: Decimal): [string, string] {
  let decimals = MESSAGE_DECIMALS
  const exact = Math.max(value.isFinite() ? value.decimalPlaces() : 0, limit.isFinite() ? limit.decimalPlaces() : 0)
  while (decimals < exact && value.toDecimalPlaces(decimals).eq(limit.toDecimalPlaces(decimals)) && !value.eq(limit)) {
    decimals += 1
  }
  return [formatAmount(value, decimals), formatAmount(limit, decimals)]
}

/** A quote-currency amount with its unit when one is known ("1000 USDT"). */
export function withUnit(text: string, unit: string | undefined): string {
  return unit ? `${text} ${unit}` : text
}

import { trimZeros, type Decimal } from './decimal'

/**
 * An amount of a quote currency (equity, a balance, a PnL, a fee) rounded for people and
 * prompts: six significant digits, never fewer than 2 places nor more than 8 (a satoshi), half
 * up, trailing zeros trimmed down to 2. A paper account's fees leave ten places
 * (9899.6856332046 reads 9899.69), while a BTC-quoted account's 0.0512345678 reads 0.0512346
 * instead of a fixed-2-places 0.05. The exact value stays wherever it is stored; this is only
 * how it is written.
 */
export function roundQuoteAmount(amount: Decimal): string {
  const places = Math.min(8, Math.max(2, 5 - amount.abs().e))
  const text = trimZeros(amount.toFixed(places), 2)
  // A loss that rounds to nothing is not a loss.
  return /^-0\.0+$/.test(text) ? text.slice(1) : text
}

import { formatBalance } from './decimal-format'

/**
 * A bar chart's value axis always includes zero: bars grow from it, and a lone day at −0.06
 * must not be drawn as a sliver hanging from −0.05.
 */
export const ZERO_BASED_DOMAIN: [(dataMin: number) => number, (dataMax: number) => number] = [(min) => Math.min(0, min), (max) => Math.max(0, max)]

/**
 * A percent tick with as many places as its size needs (1 to 4; none at zero), so that a
 * 0.01 % drawdown's ticks read −0.0025 %, −0.005 % … instead of −0.0 % four times.
 */
export function percentTick(v: number): string {
  if (v === 0) return '0%'
  const places = Math.min(4, Math.max(1, 2 - Math.floor(Math.log10(Math.abs(v)))))
  return `${Number(v.toFixed(places))}%`
}

/** A tick of an amount in the quote currency, as balances are shown (a BTC-quoted 0.0512 is not "0.05"). */
export function amountTick(v: number): string {
  return formatBalance(String(v), true).text
}

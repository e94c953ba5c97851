import { formatBalance } from './decimal-format'

/**
 * A value axis that always includes zero (bars grow from it, and a lone day at −0.06
 * must not be drawn as a sliver hanging from −0.05), and its ticks fall on round steps (1, 2,
 * 2.5 or 5 times a power of ten), about `count` of them.
 */
export function zeroBasedAxis(values: readonly number[], count = 5): { domain: [number, number]; ticks: number[] } {
  const lo = Math.min(0, ...values)
  const hi = Math.max(0, ...values)
  if (lo === hi) return { domain: [0, 1], ticks: [0, 1] }
  const rough = (hi - lo) / (count - 1)
  const mag = 10 ** Math.floor(Math.log10(rough))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= rough)!
  const first = Math.floor(lo / step + 1e-9)
  const last = Math.ceil(hi / step - 1e-9)
  // Multiples of the step, each cut to the step's places: no 0.30000000000000004.
  const places = Math.max(0, -Math.floor(Math.log10(step)) + 1)
  const ticks = Array.from({ length: last - first + 1 }, (_, i) => Number(((first + i) * step).toFixed(places)))
  return { domain: [ticks[0]!, ticks[ticks.length - 1]!], ticks }
}

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

import type { Decimal } from '@/lib/domain/decimal'

/** How far a clock may run ahead of ours before a signal's time is not believed. */
export const MAX_CLOCK_AHEAD_MS = 60_000

/**
 * Why a signal is too old to act on, or null. Its age is measured from the time it says it was
 * fired (`timestamp`, TradingView's `{{timenow}}`), or, without one, from when it arrived.
 */
export function signalAgeProblem(o: { firedAt: Date | null; receivedAt: Date; now: Date; maxLagSeconds: number }): string | null {
  const at = o.firedAt ?? o.receivedAt
  const ageMs = o.now.getTime() - at.getTime()
  if (ageMs < -MAX_CLOCK_AHEAD_MS) return `timestamp ${at.toISOString()} is ${Math.round(-ageMs / 1000)} s in the future: check the sender's clock`
  if (ageMs > o.maxLagSeconds * 1000) {
    const from = o.firedAt ? `fired at ${at.toISOString()}` : `received at ${at.toISOString()}`
    return `stale: ${from}, ${Math.round(ageMs / 1000)} s ago, more than the trader's max lag of ${o.maxLagSeconds} s`
  }
  return null
}

/**
 * Why the signal's price is too far from the market to act on, or null. The reference is the
 * side of the quote the order would take (the ask for a buy, the bid for a sell).
 */
export function priceDeviationProblem(o: { price: Decimal; reference: Decimal; maxDeviationPct: Decimal }): string | null {
  if (!o.reference.gt(0)) return null
  const pct = o.price.minus(o.reference).abs().div(o.reference).mul(100)
  if (pct.lte(o.maxDeviationPct)) return null
  return `price ${o.price.toFixed()} is ${pct.toDecimalPlaces(2).toFixed()}% from the market (${o.reference.toFixed()}), more than the trader's max deviation of ${o.maxDeviationPct.toFixed()}%`
}

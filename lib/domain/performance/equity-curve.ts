import { ZERO, dec, type Decimal } from '@/lib/domain/decimal'

/** One equity snapshot of one account (epoch ms). */
export interface AccountEquityPoint {
  accountId: string
  at: number
  equity: Decimal
}

export interface EquityCurvePoint {
  at: number
  /** The accounts' equity added up, each at its latest snapshot so far. */
  equity: Decimal
  /**
   * Growth of 1 since the first point, chained from one point to the next (a time-weighted
   * return index): an account's first snapshot is money arriving, not profit.
   */
  index: Decimal
  /** Equity of the accounts first seen at this point. */
  inflow: Decimal
}

/**
 * Adds up the equity curves of several accounts (one account's curve is the same curve) and
 * chains their returns. Between two points the return is (equity now − money that arrived now)
 * / equity before − 1, so a trader created (and funded) later in the period does not show as a
 * gain. Snapshots of different accounts need not line up: each account counts with its latest
 * snapshot at or before each point. A point after a total of zero keeps the index unchanged
 * (there is no return on nothing).
 */
export function combineAccountCurves(points: readonly AccountEquityPoint[]): EquityCurvePoint[] {
  const sorted = [...points].sort((a, b) => a.at - b.at || (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0))
  const latest = new Map<string, Decimal>()
  const out: EquityCurvePoint[] = []
  let i = 0
  while (i < sorted.length) {
    const at = sorted[i]!.at
    let inflow = ZERO
    for (; i < sorted.length && sorted[i]!.at === at; i++) {
      const p = sorted[i]!
      if (!latest.has(p.accountId)) inflow = inflow.plus(p.equity)
      latest.set(p.accountId, p.equity)
    }
    const equity = [...latest.values()].reduce<Decimal>((s, v) => s.plus(v), ZERO)
    const prev = out[out.length - 1]
    let index = dec(1)
    if (prev) index = prev.equity.gt(0) ? prev.index.mul(equity.minus(inflow).div(prev.equity)) : prev.index
    out.push({ at, equity, index, inflow })
  }
  return out
}

import { ZERO, type Decimal } from '@/lib/domain/decimal'

export interface IndexPoint {
  at: number
  /** A value that only returns move (see combineAccountCurves' index). */
  index: Decimal
}

/** How far below its highest value so far the curve is at each point: 0 at a new high, −0.1 ten percent below. */
export function drawdownSeries(curve: readonly IndexPoint[]): { at: number; drawdown: Decimal }[] {
  let peak: Decimal | null = null
  return curve.map((p) => {
    if (peak === null || p.index.gt(peak)) peak = p.index
    return { at: p.at, drawdown: peak.gt(0) ? p.index.div(peak).minus(1) : ZERO }
  })
}

export interface MaxDrawdown {
  /** The deepest fall from a peak, as a positive fraction (0.25 = 25 %); 0 without any fall. */
  depth: Decimal
  /** The peak it fell from and the lowest point; null without any fall. */
  peakAt: number | null
  troughAt: number | null
  /** The first point back at or above the peak; null while still below it. */
  recoveredAt: number | null
  /**
   * Its duration: from the peak to the recovery, or to the last point of the curve while it has
   * not recovered. 0 without any fall.
   */
  durationMs: number
}

/** The deepest drawdown of a curve and how long it lasted; the earliest one when several are as deep. */
export function maxDrawdown(curve: readonly IndexPoint[]): MaxDrawdown {
  let peak: IndexPoint | null = null
  let best: { depth: Decimal; peak: IndexPoint; trough: IndexPoint } | null = null
  for (const p of curve) {
    if (peak === null || p.index.gt(peak.index)) peak = p
    if (!peak.index.gt(0)) continue
    const depth = peak.index.minus(p.index).div(peak.index)
    if (depth.gt(0) && (best === null || depth.gt(best.depth))) best = { depth, peak, trough: p }
  }
  if (!best) return { depth: ZERO, peakAt: null, troughAt: null, recoveredAt: null, durationMs: 0 }
  const recovery = curve.find((p) => p.at > best.trough.at && p.index.gte(best.peak.index)) ?? null
  const endAt = recovery?.at ?? curve[curve.length - 1]!.at
  return { depth: best.depth, peakAt: best.peak.at, troughAt: best.trough.at, recoveredAt: recovery?.at ?? null, durationMs: endAt - best.peak.at }
}

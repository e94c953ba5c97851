import { barOpenTime } from './chart-candle'
import type { LevelSegment } from './protection-segments'

/** A point of a line series: a value at a bar, or a gap (no value) where the level did not exist. */
export type StepPoint = { time: number; value: number } | { time: number }

export interface StepSeries {
  /** 'stop' or 'target-<slot>'. */
  key: string
  kind: LevelSegment['kind']
  slot: number
  points: StepPoint[]
}

/**
 * Level segments as step lines over the chart's bars: for each bar, the level in force at the end
 * of it (of several segments touching a bar, the one that began last). A series runs from the
 * first bar its level touches to the last; bars in between without it are gaps. Levels outside the
 * bars drawn give no series.
 */
export function stepSeries(segments: readonly LevelSegment[], barTimes: readonly number[], tfMs: number): StepSeries[] {
  const groups = new Map<string, LevelSegment[]>()
  for (const s of segments) {
    const key = s.kind === 'stop' ? 'stop' : `target-${s.slot}`
    groups.set(key, [...(groups.get(key) ?? []), s])
  }
  const out: StepSeries[] = []
  for (const [key, list] of groups) {
    const spans = list.map((s) => ({ from: barOpenTime(s.fromMs, tfMs), to: barOpenTime(s.toMs, tfMs), fromMs: s.fromMs, value: Number(s.price) }))
    const points: StepPoint[] = barTimes.map((time) => {
      let best: (typeof spans)[number] | undefined
      for (const s of spans) if (s.from <= time && time <= s.to && (!best || s.fromMs >= best.fromMs)) best = s
      return best ? { time, value: best.value } : { time }
    })
    const first = points.findIndex((p) => 'value' in p)
    if (first < 0) continue
    let last = points.length - 1
    while (!('value' in points[last]!)) last--
    out.push({ key, kind: list[0]!.kind, slot: list[0]!.slot, points: points.slice(first, last + 1) })
  }
  return out.sort((a, b) => (a.kind === b.kind ? a.slot - b.slot : a.kind === 'stop' ? -1 : 1))
}

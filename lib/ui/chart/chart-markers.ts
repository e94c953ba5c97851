import { barAt } from './chart-candle'

/** Something that happened at a price and a moment: a fill, or a position's entry. */
export interface MarkerPoint {
  id: string
  at: string
  price: string
  /** Up for buys (entries of a LONG), down for sells. */
  direction: 'up' | 'down'
  text: string
}

export interface PlacedMarker {
  id: string
  /** The bar it belongs to (ms). */
  time: number
  price: number
  direction: 'up' | 'down'
  text: string
}

/**
 * Markers placed on the bars drawn, in time order (the chart requires it); those before the first
 * bar or after the last are counted in `outside`, so the page can say they are not shown.
 */
export function placeMarkers(points: readonly MarkerPoint[], barTimes: readonly number[], tfMs: number): { markers: PlacedMarker[]; outside: number } {
  const markers: PlacedMarker[] = []
  let outside = 0
  for (const p of points) {
    const time = barAt(barTimes, Date.parse(p.at), tfMs)
    if (time === null) outside++
    else markers.push({ id: p.id, time, price: Number(p.price), direction: p.direction, text: p.text })
  }
  markers.sort((a, b) => a.time - b.time)
  return { markers, outside }
}

import type { MarkerPoint } from './chart-markers'
import type { PriceLevel } from './price-level'
import { protectionSegments, type LevelSegment } from './protection-segments'

export interface PositionOverlayInput {
  position: {
    side: 'LONG' | 'SHORT'
    status: string
    entryQty: string
    avgEntryPrice: string
    limitPrice: string | null
    stopLoss: string | null
    takeProfits: readonly { price: string; sharePct: string; status: string }[]
    createdAt: string
    closedAt: string | null
  }
  fills: readonly { id: string; orderId: string; side: 'BUY' | 'SELL'; qty: string; price: string; at: string }[]
  orders: readonly { id: string; purpose: string }[]
  events: readonly { type: string; before: unknown; after: unknown; at: string }[]
}

export interface PositionOverlay {
  levels: PriceLevel[]
  fills: MarkerPoint[]
  segments: LevelSegment[]
  /** The span the chart should cover: from creation to the close (or now). */
  fromMs: number
  toMs: number
}

const ENDED = ['CLOSED', 'FAILED']

/**
 * What a position puts on its price chart: lines at the average entry (or the resting limit), the
 * current stop and every active take-profit (nearest first); a marker per fill; and the stop and
 * take-profit history as segments for step lines.
 */
export function positionOverlay(input: PositionOverlayInput, nowMs: number): PositionOverlay {
  const p = input.position
  const active = !ENDED.includes(p.status)
  const levels: PriceLevel[] = []
  if (Number(p.entryQty) > 0) levels.push({ kind: 'entry', price: p.avgEntryPrice, title: 'Entry' })
  else if (active && p.limitPrice) levels.push({ kind: 'limit', price: p.limitPrice, title: 'Limit entry' })
  if (active && p.stopLoss) levels.push({ kind: 'stop', price: p.stopLoss, title: 'Stop' })
  if (active) {
    p.takeProfits
      .filter((t) => t.status === 'ACTIVE')
      .forEach((t, i) => levels.push({ kind: 'target', price: t.price, title: `TP${i + 1} ${t.sharePct}%` }))
  }
  const fills: MarkerPoint[] = input.fills.map((f) => ({
    id: f.id,
    at: f.at,
    price: f.price,
    direction: f.side === 'BUY' ? 'up' : 'down',
    // The marker sits at the fill's price; the text stays short so it fits beside the newest bar.
    text: `${f.side === 'BUY' ? 'Buy' : 'Sell'} ${f.qty}`,
  }))
  const fromMs = Date.parse(p.createdAt)
  const lastEvent = input.events.length ? Date.parse(input.events[input.events.length - 1]!.at) : fromMs
  // A position that ended without a close time (FAILED) ended with its last event.
  const toMs = p.closedAt ? Date.parse(p.closedAt) : active ? nowMs : lastEvent
  const traded = input.fills.length > 0
  // Levels of a position that never traded protected nothing: no history for those.
  const segments = traded || active ? protectionSegments({ side: p.side, events: input.events, fills: input.fills, orders: input.orders, endMs: toMs }) : []
  return { levels, fills, segments, fromMs, toMs }
}

import type { MarkerPoint } from './chart-markers'
import type { PriceLevel } from './price-level'

export interface DashboardPosition {
  id: string
  symbol: string
  side: 'LONG' | 'SHORT'
  traderName: string
  entryQty: string
  openQty: string
  avgEntryPrice: string
  stopLoss: string | null
  openedAt: string | null
}

/**
 * What the active positions of one symbol put on the dashboard's chart: a marker at each entry
 * (its average price, when it opened) and a line at each stop, named by trader and side.
 */
export function dashboardOverlay(positions: readonly DashboardPosition[], symbol: string): { levels: PriceLevel[]; entries: MarkerPoint[] } {
  const mine = positions.filter((p) => p.symbol === symbol)
  const levels: PriceLevel[] = mine.flatMap((p) => (p.stopLoss ? [{ kind: 'stop' as const, price: p.stopLoss, title: `Stop ${p.traderName} ${p.side}` }] : []))
  const entries: MarkerPoint[] = mine.flatMap((p) =>
    p.openedAt && Number(p.entryQty) > 0
      ? [{ id: p.id, at: p.openedAt, price: p.avgEntryPrice, direction: p.side === 'LONG' ? ('up' as const) : ('down' as const), text: `${p.side} ${p.openQty}` }]
      : [],
  )
  return { levels, entries }
}

/** The symbols a dashboard chart can show: those of active positions first, then the watchlists'. */
export function chartSymbols(positions: readonly { symbol: string }[], watchlists: readonly (readonly string[])[]): string[] {
  const held = [...new Set(positions.map((p) => p.symbol))].sort()
  const watched = [...new Set(watchlists.flat())].filter((s) => !held.includes(s)).sort()
  return [...held, ...watched]
}

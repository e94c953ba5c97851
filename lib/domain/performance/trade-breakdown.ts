import { tradeStats, type ClosedTradeResult, type TradeStats } from './trade-stats'

/** tradeStats per group (trader, symbol, source, …), groups in order of first appearance. */
export function breakdownBy<T extends ClosedTradeResult>(trades: readonly T[], keyOf: (t: T) => string): { key: string; stats: TradeStats }[] {
  const groups = new Map<string, T[]>()
  for (const t of trades) {
    const key = keyOf(t)
    const list = groups.get(key)
    if (list) list.push(t)
    else groups.set(key, [t])
  }
  return [...groups.entries()].map(([key, list]) => ({ key, stats: tradeStats(list) }))
}

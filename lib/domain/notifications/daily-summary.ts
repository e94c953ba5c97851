import { ZERO, type Decimal } from '@/lib/domain/decimal'

export type SummaryMode = 'PAPER' | 'TESTNET' | 'LIVE'
const MODE_ORDER: readonly SummaryMode[] = ['PAPER', 'TESTNET', 'LIVE']

/** A position closed within the summary's period, in its account's quote currency. */
export interface SummaryClosedTrade {
  mode: SummaryMode
  currency: string
  /** Net of every fee. */
  pnl: Decimal
  fees: Decimal
}

/** A position with an open quantity at the time of the summary. */
export interface SummaryOpenPosition {
  mode: SummaryMode
  currency: string
  side: 'LONG' | 'SHORT'
  avgEntryPrice: Decimal
  openQty: Decimal
  stopLoss: Decimal | null
}

/** The figures of one account mode and quote currency: never added across either. */
export interface SummaryGroup {
  mode: SummaryMode
  currency: string
  closedTrades: number
  /** PnL > 0. */
  wins: number
  pnl: Decimal
  fees: Decimal
  openPositions: number
  /** What the open positions with a stop lose if every stop fills at its price. */
  openRisk: Decimal
  /** Open positions without a stop: their risk has no bound, so it is counted, not summed. */
  unprotected: number
}

/**
 * The daily summary's figures per (mode, currency), paper before testnet before live, then by
 * currency. Open risk is (entry − stop) × open qty for a long, (stop − entry) × qty for a short,
 * and 0 for a stop already at or past the entry: a stop that locks in profit risks nothing.
 */
export function dailySummary(trades: readonly SummaryClosedTrade[], open: readonly SummaryOpenPosition[]): SummaryGroup[] {
  const groups = new Map<string, SummaryGroup>()
  const group = (mode: SummaryMode, currency: string) => {
    const key = `${mode} ${currency}`
    let g = groups.get(key)
    if (!g) {
      g = { mode, currency, closedTrades: 0, wins: 0, pnl: ZERO, fees: ZERO, openPositions: 0, openRisk: ZERO, unprotected: 0 }
      groups.set(key, g)
    }
    return g
  }
  for (const t of trades) {
    const g = group(t.mode, t.currency)
    g.closedTrades += 1
    if (t.pnl.gt(0)) g.wins += 1
    g.pnl = g.pnl.plus(t.pnl)
    g.fees = g.fees.plus(t.fees)
  }
  for (const p of open) {
    const g = group(p.mode, p.currency)
    g.openPositions += 1
    if (p.stopLoss === null) {
      g.unprotected += 1
      continue
    }
    const perUnit = p.side === 'LONG' ? p.avgEntryPrice.minus(p.stopLoss) : p.stopLoss.minus(p.avgEntryPrice)
    if (perUnit.gt(0)) g.openRisk = g.openRisk.plus(perUnit.mul(p.openQty))
  }
  return [...groups.values()].sort((a, b) => MODE_ORDER.indexOf(a.mode) - MODE_ORDER.indexOf(b.mode) || a.currency.localeCompare(b.currency))
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`
const signed = (d: Decimal) => (d.gt(0) ? `+${d.toFixed()}` : d.toFixed())

/**
 * The summary as the activity feed and the channels show it: the period on the first line, then
 * one line per mode and currency, e.g.
 * "PAPER USDT: PnL +12.5, 3 closed trades (2 wins), fees 0.3; 2 open positions, open risk 40 (1 without a stop)".
 */
export function dailySummaryMessage(groups: readonly SummaryGroup[], period: { from: string; to: string; timeZone: string }): string {
  const head = `Daily summary, ${period.from} to ${period.to} (${period.timeZone}):`
  if (groups.length === 0) return `${head}\nNo closed trades and no open positions.`
  const lines = groups.map((g) => {
    const closed = g.closedTrades ? `PnL ${signed(g.pnl)}, ${plural(g.closedTrades, 'closed trade')} (${plural(g.wins, 'win')}), fees ${g.fees.toFixed()}` : 'no closed trades'
    const open = g.openPositions
      ? `${plural(g.openPositions, 'open position')}, open risk ${g.openRisk.toFixed()}${g.unprotected ? ` (${g.unprotected} without a stop)` : ''}`
      : 'no open positions'
    return `${g.mode} ${g.currency}: ${closed}; ${open}`
  })
  return [head, ...lines].join('\n')
}

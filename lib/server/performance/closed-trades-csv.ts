import type { CsvColumn } from '@/lib/server/exports/csv-response'
import type { ClosedTrade } from './closed-trades'

/** GET /api/v1/performance/trades.csv: one row per closed position (a position group's legs share group_id), decimals exact, times ISO 8601 UTC. */
export const CLOSED_TRADE_COLUMNS: CsvColumn<ClosedTrade>[] = [
  { header: 'position_id', value: (t) => t.positionId },
  { header: 'trader', value: (t) => t.traderName },
  { header: 'symbol', value: (t) => t.symbol },
  { header: 'side', value: (t) => t.side },
  { header: 'source', value: (t) => t.source },
  { header: 'provider', value: (t) => t.provider },
  { header: 'mode', value: (t) => t.mode },
  { header: 'currency', value: (t) => t.currency },
  { header: 'opened_at', value: (t) => t.openedAt?.toISOString() },
  { header: 'closed_at', value: (t) => t.closedAt.toISOString() },
  { header: 'entry_qty', value: (t) => t.entryQty.toFixed() },
  { header: 'avg_entry_price', value: (t) => t.avgEntryPrice.toFixed() },
  { header: 'exit_qty', value: (t) => t.exitQty.toFixed() },
  { header: 'avg_exit_price', value: (t) => t.avgExitPrice.toFixed() },
  { header: 'fees', value: (t) => t.fees.toFixed() },
  { header: 'realized_pnl', value: (t) => t.pnl.toFixed() },
  { header: 'close_reason', value: (t) => t.closeReason },
  { header: 'group_id', value: (t) => t.groupId },
]

/** The loaded trades as the rows csvResponse reads. */
export async function* closedTradeRows(trades: readonly ClosedTrade[]): AsyncGenerator<ClosedTrade> {
  yield* trades
}

import { stringify } from 'csv-stringify/sync'
import type { ClosedTrade } from './closed-trades'

/**
 * A spreadsheet runs a cell starting with =, +, -, @ (or tab / carriage return) as a formula, so
 * text that came from a person (a trader's name) is prefixed with a quote there (OWASP's advice
 * against CSV injection). Our own numbers ("-12.5") are never formulas and stay numbers.
 */
function text(value: string | null): string {
  if (value === null) return ''
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
}

const COLUMNS: { header: string; value: (t: ClosedTrade) => string }[] = [
  { header: 'position_id', value: (t) => t.positionId },
  { header: 'trader', value: (t) => text(t.traderName) },
  { header: 'symbol', value: (t) => t.symbol },
  { header: 'side', value: (t) => t.side },
  { header: 'source', value: (t) => t.source },
  { header: 'provider', value: (t) => t.provider ?? '' },
  { header: 'mode', value: (t) => t.mode },
  { header: 'currency', value: (t) => t.currency },
  { header: 'opened_at', value: (t) => t.openedAt?.toISOString() ?? '' },
  { header: 'closed_at', value: (t) => t.closedAt.toISOString() },
  { header: 'entry_qty', value: (t) => t.entryQty.toFixed() },
  { header: 'avg_entry_price', value: (t) => t.avgEntryPrice.toFixed() },
  { header: 'exit_qty', value: (t) => t.exitQty.toFixed() },
  { header: 'avg_exit_price', value: (t) => t.avgExitPrice.toFixed() },
  { header: 'fees', value: (t) => t.fees.toFixed() },
  { header: 'realized_pnl', value: (t) => t.pnl.toFixed() },
  { header: 'close_reason', value: (t) => text(t.closeReason) },
]

/** Closed trades as CSV (RFC 4180, CRLF), a header row then one row per trade; decimals exact. */
export function closedTradesCsv(trades: readonly ClosedTrade[]): string {
  return stringify(
    trades.map((t) => COLUMNS.map((c) => c.value(t))),
    { header: true, columns: COLUMNS.map((c) => c.header), record_delimiter: 'windows' },
  )
}

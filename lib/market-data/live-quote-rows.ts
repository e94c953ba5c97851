import type { Decimal } from '@/lib/domain/decimal'
import type { LiveQuote } from '@/lib/ui/live-pnl'

/** Quotes as the web's live prices carry them (the worker's NOTIFY, the browser's SSE): exact strings, receivedAt in epoch ms. */
export function liveQuoteRows(quotes: readonly { symbol: string; bid: Decimal; ask: Decimal; last: Decimal; receivedAt: number | Date }[]): LiveQuote[] {
  return quotes.map((q) => ({
    symbol: q.symbol,
    bid: q.bid.toFixed(),
    ask: q.ask.toFixed(),
    last: q.last.toFixed(),
    receivedAt: typeof q.receivedAt === 'number' ? q.receivedAt : q.receivedAt.getTime(),
  }))
}

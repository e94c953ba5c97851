import { dec, sumDec, type Decimal } from '@/lib/domain/decimal'
import { pnlPercent, unrealizedPnl, type PositionSide } from '@/lib/domain/positions/fill-ledger'
import { exitPriceFor } from '@/lib/domain/positions/exit-price'

export interface LiveQuote {
  symbol: string
  bid: string
  ask: string
  last: string
  /** ms since epoch, worker clock */
  receivedAt: number
  /** Read from the database when the stream opened, not a live tick. */
  stored?: boolean
}

export interface PnlInput {
  side: PositionSide
  openQty: string
  avgEntryPrice: string
}

export interface LivePnl {
  mark: string
  pnl: string
  pct: string
}

/**
 * Unrealized PnL of the open quantity at the live quote, with the domain's own functions.
 * The mark is the price the position would exit at (the bid for a LONG, the ask for a SHORT),
 * as on the server. Null when flat or without a usable quote.
 */
export function livePnl(p: PnlInput, quote: Pick<LiveQuote, 'bid' | 'ask'> | undefined | null): LivePnl | null {
  if (!quote) return null
  let openQty: Decimal
  let avg: Decimal
  let mark: Decimal
  try {
    openQty = dec(p.openQty)
    avg = dec(p.avgEntryPrice)
    mark = dec(exitPriceFor(p.side, quote))
  } catch {
    return null
  }
  if (!openQty.gt(0) || !mark.gt(0)) return null
  return {
    mark: mark.toFixed(),
    pnl: unrealizedPnl(p.side, { openQty, avgEntryPrice: avg }, mark).toFixed(),
    pct: pnlPercent(p.side, avg, mark).toFixed(),
  }
}

/** Exact sum of decimal strings, skipping nulls; null when nothing was summed. */
export function sumDecimalStrings(values: readonly (string | null | undefined)[]): string | null {
  const present = values.filter((v): v is string => typeof v === 'string' && v !== '')
  if (present.length === 0) return null
  return sumDec(present.map((v) => dec(v))).toFixed()
}

import type { Decimal } from '@/lib/domain/decimal'

/** One top-of-book snapshot for one symbol, as every feed delivers it. */
export interface Quote {
  /** ccxt unified symbol, e.g. 'BTC/USDT'. */
  symbol: string
  bid: Decimal
  ask: Decimal
  last: Decimal
  /** [price, quantity] levels, best first, at most the feed's `depth`; absent when the feed has no book. */
  bids?: [Decimal, Decimal][]
  asks?: [Decimal, Decimal][]
  /** Milliseconds, as stated by the source (exchange clock or replayed candle time). */
  exchangeTs: number
  /** Milliseconds, local clock when the quote was received. */
  receivedAt: number
}

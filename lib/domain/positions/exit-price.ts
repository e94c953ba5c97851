import type { PositionSide } from './fill-ledger'

/** The price a position would exit at now: a LONG sells at the bid, a SHORT buys at the ask. */
export function exitPriceFor<T>(side: PositionSide, quote: { bid: T; ask: T }): T {
  return side === 'LONG' ? quote.bid : quote.ask
}

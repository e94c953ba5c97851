import { maxDec, minDec, type Decimal } from '@/lib/domain/decimal'
import type { PositionSide } from './fill-ledger'

/**
 * The price an entry would fill at now: a market LONG at the ask, a SHORT at the bid; a limit at
 * its limit, or at the market when the limit is already past it (a LONG limit at or above the
 * ask buys at the ask). Its stop and targets are judged against this price, so that a limit set
 * on the far side of the market cannot carry a stop the market has already passed.
 */
export function entryFillPrice(side: PositionSide, quote: { bid: Decimal; ask: Decimal }, limit?: Decimal | null): { price: Decimal; atMarket: boolean } {
  const market = side === 'LONG' ? quote.ask : quote.bid
  if (!limit) return { price: market, atMarket: true }
  const price = side === 'LONG' ? minDec(limit, market) : maxDec(limit, market)
  return { price, atMarket: !price.eq(limit) }
}

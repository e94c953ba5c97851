import { Decimal, ZERO } from '@/lib/domain/decimal'
import { DomainError } from '@/lib/domain/errors'
import { err, ok, type Result } from '@/lib/domain/result'

export type PositionSide = 'LONG' | 'SHORT'
export type OrderSide = 'BUY' | 'SELL'

export interface LedgerFill {
  side: OrderSide
  qty: Decimal
  price: Decimal
  /** In quote currency. Negative for a maker rebate. */
  fee: Decimal
  /**
   * A fee the exchange took out of the base asset received (Binance charges a spot buy's
   * commission in the coin bought): the position holds `qty − feeInBase`, and the fee counts at
   * the fill's price among the fees.
   */
  feeInBase?: Decimal
}

/** Everything about a position that follows from its fills; never stored and edited by hand. */
export interface PositionLedger {
  openQty: Decimal
  /** Total quantity ever opened. */
  entryQty: Decimal
  exitQty: Decimal
  /** Average cost of the open quantity (unchanged by reductions); last value once flat. */
  avgEntryPrice: Decimal
  avgExitPrice: Decimal
  grossRealizedPnl: Decimal
  /** Every fee paid so far, entry and exit, in quote currency. */
  fees: Decimal
  /** grossRealizedPnl − fees: for a closed position, exactly the change in quote cash. */
  realizedPnl: Decimal
}

export function entrySideFor(side: PositionSide): OrderSide {
  return side === 'LONG' ? 'BUY' : 'SELL'
}

export function exitSideFor(side: PositionSide): OrderSide {
  return side === 'LONG' ? 'SELL' : 'BUY'
}

/**
 * The average price a closed position paid to open what it sold, over all its entry fills (null
 * with no exit). Not avgEntryPrice, the cost of what is still open: after an entry fill that came
 * between exits (a limit entry still filling, a late fill that reopened it) that describes only
 * the last part. Derived from the exits: their notional less (LONG) or plus (SHORT) the gross
 * result, per unit sold.
 */
export function averageEntryOfClosed(side: PositionSide, l: Pick<PositionLedger, 'exitQty' | 'avgExitPrice' | 'realizedPnl' | 'fees'>): Decimal | null {
  if (l.exitQty.isZero()) return null
  const gross = l.realizedPnl.plus(l.fees)
  const exitNotional = l.exitQty.mul(l.avgExitPrice)
  return (side === 'LONG' ? exitNotional.minus(gross) : exitNotional.plus(gross)).div(l.exitQty)
}

/**
 * Replays fills in order with the average-cost method. The open cost basis is tracked as an
 * amount rather than as an average, and a reduction that flattens the position releases all of
 * what is left, so a closed position's realized PnL equals its cash result to the last digit
 * even when the average itself is a repeating decimal.
 */
export function derivePosition(side: PositionSide, fills: readonly LedgerFill[]): Result<PositionLedger> {
  const entrySide = entrySideFor(side)
  let openQty = ZERO
  let openCost = ZERO
  let entryQty = ZERO
  let exitQty = ZERO
  let exitNotional = ZERO
  let avgEntryPrice = ZERO
  let grossRealizedPnl = ZERO
  let fees = ZERO

  for (const [index, fill] of fills.entries()) {
    if (!fill.qty.gt(0) || !fill.price.gt(0)) {
      return err(
        new DomainError(
          'INVALID_FILL',
          `fill ${index + 1} has quantity ${fill.qty.toFixed()} and price ${fill.price.toFixed()}; both must be greater than 0`,
          { index, qty: fill.qty.toFixed(), price: fill.price.toFixed() },
        ),
      )
    }
    const baseFee = fill.feeInBase ?? ZERO
    if (baseFee.lt(0) || !baseFee.lt(fill.qty)) {
      return err(
        new DomainError('INVALID_FILL', `fill ${index + 1} has a base-asset fee of ${baseFee.toFixed()} for a quantity of ${fill.qty.toFixed()}`, {
          index,
          qty: fill.qty.toFixed(),
          feeInBase: baseFee.toFixed(),
        }),
      )
    }
    fees = fees.plus(fill.fee).plus(baseFee.mul(fill.price))
    // What the fill changed in the position: the quantity less what the exchange kept as its fee.
    const qty = fill.qty.minus(baseFee)
    const notional = qty.mul(fill.price)

    if (fill.side === entrySide) {
      openQty = openQty.plus(qty)
      openCost = openCost.plus(notional)
      entryQty = entryQty.plus(qty)
      avgEntryPrice = openCost.div(openQty)
      continue
    }

    if (qty.gt(openQty)) {
      return err(
        new DomainError(
          'OVERFILL',
          `exit fill ${index + 1} of ${qty.toFixed()} is larger than the open quantity ${openQty.toFixed()}`,
          { index, qty: qty.toFixed(), openQty: openQty.toFixed() },
        ),
      )
    }
    const releasedCost = qty.eq(openQty) ? openCost : avgEntryPrice.mul(qty)
    const pnl = side === 'LONG' ? notional.minus(releasedCost) : releasedCost.minus(notional)
    grossRealizedPnl = grossRealizedPnl.plus(pnl)
    openQty = openQty.minus(qty)
    openCost = openCost.minus(releasedCost)
    exitQty = exitQty.plus(qty)
    exitNotional = exitNotional.plus(notional)
  }

  return ok({
    openQty,
    entryQty,
    exitQty,
    avgEntryPrice,
    avgExitPrice: exitQty.isZero() ? ZERO : exitNotional.div(exitQty),
    grossRealizedPnl,
    fees,
    realizedPnl: grossRealizedPnl.minus(fees),
  })
}

/** Paper profit of the open quantity at `markPrice`, before the fees of closing it. */
export function unrealizedPnl(
  side: PositionSide,
  ledger: Pick<PositionLedger, 'openQty' | 'avgEntryPrice'>,
  markPrice: Decimal,
): Decimal {
  if (ledger.openQty.isZero()) return ZERO
  const perUnit = side === 'LONG' ? markPrice.minus(ledger.avgEntryPrice) : ledger.avgEntryPrice.minus(markPrice)
  return perUnit.mul(ledger.openQty)
}

/** Price move in the position's favour, in percent of the entry price (5 means +5 %). */
export function pnlPercent(side: PositionSide, avgEntry: Decimal, mark: Decimal): Decimal {
  if (avgEntry.isZero()) return ZERO
  const move = side === 'LONG' ? mark.minus(avgEntry) : avgEntry.minus(mark)
  return move.div(avgEntry).mul(100)
}

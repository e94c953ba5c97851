import { ZERO, dec, type Decimal } from '@/lib/domain/decimal'
import { checkOrderSize, truncateQtyToStep } from '@/lib/domain/market/precision'
import { exitPriceFor } from '@/lib/domain/positions/exit-price'
import type { CheckOutcome } from './check-outcome'
import type { MarketSnapshot, OpenPositionState } from './decision-context'
import { readInInterval, type Interval } from './decision-values'
import { checkOrderQty } from './order-size-check'
import { checkOpenPosition } from './position-checks'
import type { TradeDecision } from './trade-decision'
import type { Check } from './validation-result'

export interface ExitInput {
  decision: TradeDecision
  position: OpenPositionState | null
  market: MarketSnapshot
}

/** An exit ready to place. `full` closes the whole position (and cancels its stop and targets). */
export interface ExitOrder {
  qty: Decimal
  full: boolean
}

/** A partial exit takes some of the position and leaves some: strictly between 0 % and 100 %. */
const PARTIAL_SHARE: Interval = { min: ZERO, minInclusive: false, max: dec(100), maxInclusive: false, unit: '%' }

/** CLOSE and PARTIAL_TP: an open position, and for a partial exit a share and a size the exchange takes. */
export function validateExit(input: ExitInput): CheckOutcome<ExitOrder> {
  const { decision, position } = input
  const open = checkOpenPosition(decision.action, decision.symbol, position)
  if (position === null) return { checks: [open], warnings: [] }
  return decision.action === 'CLOSE' ? fullExit(position, input.market, open) : partialExit(input, position, open)
}

function fullExit(position: OpenPositionState, market: MarketSnapshot, open: Check): CheckOutcome<ExitOrder> {
  const problems = checkOrderSize(market.rules, position.openQty, exitPriceFor(position.side, market))
  // A dust position still has to go; the exchange decides, but the user should know why it may fail.
  const warnings = problems.length ? [`closing the whole position may be rejected by the exchange: ${problems.join('; ')}`] : []
  return { checks: [open], warnings, value: { qty: position.openQty, full: true } }
}

function partialExit({ decision, market }: ExitInput, position: OpenPositionState, open: Check): CheckOutcome<ExitOrder> {
  const share = readInInterval('exit share', 'exit share (exitSharePct)', decision.exitSharePct, PARTIAL_SHARE)
  if (share.value === null) return { checks: [open, share.check], warnings: [] }

  const { rules } = market
  const price = exitPriceFor(position.side, market)
  const raw = position.openQty.mul(share.value).div(100)
  const qty = truncateQtyToStep(raw, rules.stepSize)
  const size = checkOrderQty('partial exit', rules, qty, price, raw)
  const checks = [open, share.check, size]
  if (!size.satisfied) return { checks, warnings: [] }

  const remainder = position.openQty.minus(qty)
  const leftover = checkOrderSize(rules, remainder, price)
  if (leftover.length === 0) return { checks, warnings: [], value: { qty, full: false } }
  // A remainder the exchange would not let us sell later is worse than closing now.
  const warning =
    `taking ${share.value.toFixed()}% would leave ${remainder.toFixed()} ${rules.base}, ` +
    `which the exchange would not accept as an order (${leftover.join('; ')}); closing the whole position instead`
  return { checks, warnings: [warning], value: { qty: position.openQty, full: true } }
}

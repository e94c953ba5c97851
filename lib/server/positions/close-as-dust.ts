import type { SqlTx } from '@/lib/db/sql-tx'
import type { Decimal } from '@/lib/domain/decimal'
import { checkOrderSize, type MarketRules } from '@/lib/domain/market/precision'
import type { PositionStatus } from '@/lib/domain/positions/position-lifecycle'
import type { ActorRef } from '@/lib/server/audit/actor'
import { PositionMoves } from './transition'

/**
 * Why the exchange would refuse an order selling all of `qty` (the whole holding, already on the
 * step grid) at `price`: below its minimum quantity or order value, or less than one step. Empty
 * when it can be sold.
 */
export function unsellable(rules: MarketRules, qty: Decimal, price: Decimal): string[] {
  if (qty.isZero()) return [`it is less than one step of ${rules.stepSize.toFixed()}`]
  return checkOrderSize(rules, qty, price)
}

/**
 * Closes a locked position that holds what no order can sell (see unsellable): an exit would be
 * refused on every attempt (a stop crossed, on every tick), and the position could never close.
 * Nothing is sent; the coins stay in the account, outside the position's books, and its realized
 * PnL is what its exits sold. Returns why, for the caller to say.
 */
export async function closeAsDust(
  tx: SqlTx,
  p: { id: string; status: PositionStatus; userId: string },
  o: { held: Decimal; asset: string; problems: string[]; reason: string; actor: ActorRef },
): Promise<string> {
  const why = `${o.held.toFixed()} ${o.asset} cannot be sold (${o.problems.join('; ')})`
  await tx.$executeRaw`UPDATE "TakeProfit" SET status = 'CANCELED' WHERE "positionId" = ${p.id} AND status = 'ACTIVE'`
  const moves = new PositionMoves(p, o.actor)
  moves.move('EXIT_REQUESTED', `${o.reason}: no exit order, ${why}`)
  moves.move('EXIT_COMPLETED', `Position closed with ${o.held.toFixed()} ${o.asset} left in the account as dust`, { closedAt: new Date(), statusReason: `Left as dust: ${why}` })
  await moves.write(tx)
  return why
}

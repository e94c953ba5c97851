import { Prisma } from '@/lib/generated/prisma/client'

export type ActiveInSymbolQuery = {
  traderId: string
  accountId: string
  symbol: string
  /** An entry for a group leg: the trader's other legs of its groups on this side do not count. */
  groupLegSide?: 'LONG' | 'SHORT'
}

/**
 * The statement behind "one active position per trader and symbol, and per account and symbol":
 * the first position still active there. The partial indexes on (traderId, symbol) and
 * (accountId, symbol) over active positions serve it, so an entry reads none of the history.
 */
export function activeInSymbolSql(q: ActiveInSymbolQuery): Prisma.Sql {
  return Prisma.sql`
    SELECT id, "traderId" FROM "Position"
    WHERE ("traderId" = ${q.traderId} OR "accountId" = ${q.accountId}) AND symbol = ${q.symbol} AND status NOT IN ('CLOSED', 'FAILED')
      ${q.groupLegSide ? Prisma.sql`AND NOT ("traderId" = ${q.traderId} AND side = ${q.groupLegSide}::"PositionSide" AND "groupId" IS NOT NULL)` : Prisma.empty}
    LIMIT 1`
}

import type { SqlTx } from '@/lib/db/sql-tx'
import type { Position } from '@/lib/generated/prisma/client'
import type { AccountRef } from '@/lib/server/exchange/exchange-for-account'

// Its decimals as either driver gives them (Prisma: Decimal, pg: string): read them with fromDb.
type DecimalColumn = 'requestedQty' | 'limitPrice' | 'stopLoss' | 'initialStop' | 'openQty' | 'entryQty' | 'exitQty' | 'avgEntryPrice' | 'avgExitPrice' | 'realizedPnl' | 'fees'
type PositionRow = Omit<Position, DecimalColumn> & { [K in DecimalColumn]: null extends Position[K] ? { toString(): string } | null : { toString(): string } }
export type LockedPosition = PositionRow & { trader: { userId: string }; account: AccountRef }
type LockedRow = PositionRow & { traderUserId: string; accountKind: AccountRef['kind']; accountVenue: AccountRef['venue'] }

/**
 * Serialises every change to one position (web, API and worker alike) on its row lock, and
 * reads it (with its owner and its account's exchange) in the same statement.
 */
export async function lockPosition(tx: SqlTx, positionId: string): Promise<LockedPosition | null> {
  const [row] = await tx.$queryRaw<LockedRow[]>`
    SELECT p.*, t."userId" AS "traderUserId", a.kind::text AS "accountKind", a.venue::text AS "accountVenue"
    FROM "Position" p JOIN "Trader" t ON t.id = p."traderId" JOIN "ExchangeAccount" a ON a.id = p."accountId"
    WHERE p.id = ${positionId} FOR UPDATE OF p`
  if (!row) return null
  const { traderUserId, accountKind, accountVenue, ...position } = row
  return { ...position, trader: { userId: traderUserId }, account: { id: position.accountId, kind: accountKind, venue: accountVenue } }
}

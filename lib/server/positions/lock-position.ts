import type { DbTx } from '@/lib/db/client'
import type { Position } from '@/lib/generated/prisma/client'
import type { AccountRef } from '@/lib/server/exchange/exchange-for-account'

export type LockedPosition = Position & { trader: { userId: string }; account: AccountRef }
type LockedRow = Position & { traderUserId: string; accountKind: AccountRef['kind']; accountVenue: AccountRef['venue'] }

/**
 * Serialises every change to one position (web, API and worker alike) on its row lock, and
 * reads it (with its owner and its account's exchange) in the same statement.
 */
export async function lockPosition(tx: DbTx, positionId: string): Promise<LockedPosition | null> {
  const [row] = await tx.$queryRaw<LockedRow[]>`
    SELECT p.*, t."userId" AS "traderUserId", a.kind::text AS "accountKind", a.venue::text AS "accountVenue"
    FROM "Position" p JOIN "Trader" t ON t.id = p."traderId" JOIN "ExchangeAccount" a ON a.id = p."accountId"
    WHERE p.id = ${positionId} FOR UPDATE OF p`
  if (!row) return null
  const { traderUserId, accountKind, accountVenue, ...position } = row
  return { ...position, trader: { userId: traderUserId }, account: { id: position.accountId, kind: accountKind, venue: accountVenue } }
}

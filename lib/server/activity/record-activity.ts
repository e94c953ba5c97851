import { Prisma } from '@/lib/generated/prisma/client'
import type { SqlTx } from '@/lib/db/sql-tx'
import { notify } from '@/lib/server/events/notify'

export type Severity = 'info' | 'warning' | 'error'

export interface ActivityInput {
  userId: string
  /** e.g. APPROVAL_NEEDED, LIMIT_BREACHED, BREAKER_TRIPPED, PANIC, DECISION_FAILED */
  type: string
  message: string
  severity?: Severity
  traderId?: string
  positionId?: string
  /** The symbol the row is about when it is not a position's (an approval, an order); a position's is taken from it. */
  symbol?: string
}

/** One row of the feed as insertActivityRows writes it. */
export interface ActivityRow {
  userId: string
  type: string
  message: string
  severity: Severity
  traderId: string | null
  positionId: string | null
  /** Null: the position's symbol (or none when there is no position). */
  symbol: string | null
  /**
   * The audit row this row copies (recordPositionEvent), or null. Such a copy is flagged
   * mirrorsPositionEvent: the logs viewer shows it as the audit line only, and finds audit lines
   * by searching these copies' messages (one text index for both tables).
   */
  positionEventId: string | null
  createdAt: Date
}

/**
 * Inserts feed rows in one statement, ids in the order given. A row about a position that does
 * not name its symbol gets the position's, read in the same statement: the logs viewer filters
 * the feed by its own symbol column, and the writers that know only the position id pay no extra
 * round trip for it.
 */
export async function insertActivityRows(tx: SqlTx, rows: ActivityRow[]): Promise<void> {
  if (rows.length === 0) return
  await tx.$executeRaw`${activityInsert(rows)}`
}

/** insertActivityRows' statement, for a writer that sends it as part of a larger one. */
export function activityInsert(rows: ActivityRow[]): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO "ActivityEvent" ("userId", type, message, severity, "traderId", "positionId", symbol, "mirrorsPositionEvent", "positionEventId", "createdAt")
    SELECT v."userId", v.type, v.message, v.severity, v."traderId", v."positionId",
      COALESCE(v.symbol, (SELECT p.symbol FROM "Position" p WHERE p.id = v."positionId")), v."positionEventId" IS NOT NULL, v."positionEventId", v."createdAt"
    FROM ROWS FROM (jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS ("userId" text, type text, message text, severity text, "traderId" text, "positionId" text, symbol text, "positionEventId" text, "createdAt" timestamp(3))) WITH ORDINALITY
      AS v("userId", type, message, severity, "traderId", "positionId", symbol, "positionEventId", "createdAt", n)
    ORDER BY v.n`
}

/**
 * One row of the user's notification feed for something that is not a position event
 * (those go through recordPositionEvent, which mirrors them here). Notified on commit.
 */
export async function recordActivity(tx: SqlTx, a: ActivityInput): Promise<void> {
  const severity = a.severity ?? 'info'
  await insertActivityRows(tx, [
    { userId: a.userId, type: a.type, message: a.message, severity, traderId: a.traderId ?? null, positionId: a.positionId ?? null, symbol: a.symbol ?? null, positionEventId: null, createdAt: new Date() },
  ])
  await notify(tx, { kind: 'activity', userId: a.userId, type: a.type, message: a.message, severity, traderId: a.traderId })
}

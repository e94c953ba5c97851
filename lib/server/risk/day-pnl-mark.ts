import { Prisma } from '@/lib/generated/prisma/client'
import type { SqlTx } from '@/lib/db/sql-tx'
import { ACTIVE_POSITION_STATUSES } from '@/lib/domain/positions/position-lifecycle'

/**
 * The price a position `p` is marked at, from its symbol's latest quote `q`: the side it would exit
 * at (bid for a LONG, ask for a SHORT; exitPriceFor). Without a quote it is marked at its average
 * entry, which the callers write around this (a join that found no quote, or a subquery's null).
 */
export const EXIT_SIDE_SQL = Prisma.sql`CASE WHEN p.side = 'LONG' THEN q.bid ELSE q.ask END`

/** A position `p`'s unrealized PnL at `mark`: (mark - average entry) x open quantity for a LONG, the reverse for a SHORT. */
export const unrealizedSql = (mark: Prisma.Sql) =>
  Prisma.sql`(CASE WHEN p.side = 'LONG' THEN 1 ELSE -1 END) * (${mark} - p."avgEntryPrice") * p."openQty"`

/**
 * What of a position `p`'s PnL (realized plus unrealized) belongs to days before the one starting
 * at `dayStart`: its day mark when the mark is of that day, else nothing (opened that day, or no
 * risk pass has marked it yet: it counts from its entry, the cautious way).
 */
export const beforeDaySql = (dayStart: Date) =>
  Prisma.sql`(CASE WHEN p."dayPnlMarkAt" = ${dayStart}::timestamp(3) THEN p."dayPnlMark" ELSE 0 END)`

/** The trading day each user's positions were last marked for, by this process (see markDayStart). */
const markedFor = new Map<string, number>()

/**
 * Marks the user's positions held into the trading day starting at `dayStart` with their PnL now
 * (see Position.dayPnlMark), once per user and day: today's loss limits then count a position
 * held overnight from here, not from its entry. Run by the worker's risk pass, every heartbeat, so
 * the mark is taken within seconds of the day's start. Computed from each row as it is when
 * written, so a fill committed meanwhile is in it.
 */
export async function markDayStart(tx: SqlTx, userId: string, dayStart: Date): Promise<void> {
  if (markedFor.get(userId) === dayStart.getTime()) return
  const mark = Prisma.sql`COALESCE((SELECT ${EXIT_SIDE_SQL} FROM "MarketQuote" q WHERE q.symbol = p.symbol), p."avgEntryPrice")`
  await tx.$executeRaw`
    UPDATE "Position" p SET "dayPnlMark" = p."realizedPnl" + ${unrealizedSql(mark)}, "dayPnlMarkAt" = ${dayStart}::timestamp(3)
    WHERE p."traderId" IN (SELECT id FROM "Trader" WHERE "userId" = ${userId}) AND p.status::text = ANY(${[...ACTIVE_POSITION_STATUSES]}::text[])
      AND p."createdAt" < ${dayStart}::timestamp(3) AND p."dayPnlMarkAt" IS DISTINCT FROM ${dayStart}::timestamp(3)`
  markedFor.set(userId, dayStart.getTime())
}

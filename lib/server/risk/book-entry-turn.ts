import type { SqlTx } from '@/lib/db/sql-tx'
import { fromDb, toDb } from '@/lib/db/decimal-columns'
import type { EntryTotals } from '@/lib/domain/risk/entries-since'
import type { AccountMode } from '@/lib/generated/prisma/enums'

/**
 * Takes a book's turn for an entry: adds the entry (`own`) to the book's entry totals
 * (BookEntryTotals), whose row stays locked until the caller's transaction ends, so the book's
 * entries take turns from here to their commit. Returns the totals as they were before this entry:
 * compared with those a read of the book saw, they tell what entries committed after that read.
 * A rollback takes the entry back out.
 */
export async function takeBookTurn(tx: SqlTx, book: { userId: string; mode: AccountMode; quoteCurrency: string }, own: EntryTotals): Promise<EntryTotals> {
  const [before] = await tx.$queryRaw<{ entries: bigint; openedPositions: bigint; notional: string }[]>`
    INSERT INTO "BookEntryTotals" ("userId", mode, "quoteCurrency", entries, "openedPositions", notional)
    VALUES (${book.userId}, ${book.mode}::"AccountMode", ${book.quoteCurrency}, ${own.entries}, ${own.openedPositions}, ${toDb(own.notional)}::numeric)
    ON CONFLICT ("userId", mode, "quoteCurrency") DO UPDATE SET
      entries = "BookEntryTotals".entries + EXCLUDED.entries,
      "openedPositions" = "BookEntryTotals"."openedPositions" + EXCLUDED."openedPositions",
      notional = "BookEntryTotals".notional + EXCLUDED.notional
    RETURNING entries - ${own.entries} AS entries, "openedPositions" - ${own.openedPositions} AS "openedPositions", (notional - ${toDb(own.notional)}::numeric)::text AS notional`
  return { entries: Number(before!.entries), openedPositions: Number(before!.openedPositions), notional: fromDb(before!.notional) }
}

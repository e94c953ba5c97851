import type { DbTx } from '@/lib/db/client'

/** Every snapshot younger than this is kept. */
export const KEEP_ALL_SNAPSHOTS_MS = 7 * 86_400_000
/** Rows deleted per statement: each statement is its own short transaction. */
export const PRUNE_BATCH_ROWS = 5_000

/**
 * Thins an account's equity history older than KEEP_ALL_SNAPSHOTS_MS (the worker writes one
 * snapshot a minute, ~525k a year) to what the performance figures read from it. Kept, per
 * account and separately for priced and unpriced snapshots (the figures skip unpriced ones, so an
 * unpriced snapshot never stands in for a priced one):
 * - the last snapshot of each UTC hour: the curve's points, far fewer than one a minute;
 * - the last snapshot of each day in the owner's time zone: the daily returns' closes (a zone
 *   such as Asia/Kolkata ends its day inside a UTC hour, so the hourly rule alone would lose it);
 * - the first snapshot ever: where an all-time curve starts;
 * - every snapshot taken on a fill (reason FILL): the equity right after each trade, which the
 *   history promises to keep (one a fill, so few beside the interval ones).
 * Any other snapshot goes when a later one of the same account and kind (fill or not) is in the
 * same hour and the same day, so a kept row stays kept however often this runs. Deleted oldest first in batches of
 * `batchRows`. A curve from an arbitrary time older than the window starts at the first kept
 * snapshot after it (at most an hour later). Returns how many rows were deleted.
 */
export async function pruneEquitySnapshots(db: DbTx, opts: { now?: Date; batchRows?: number } = {}): Promise<number> {
  const cutoff = new Date((opts.now ?? new Date()).getTime() - KEEP_ALL_SNAPSHOTS_MS).toISOString()
  const batch = opts.batchRows ?? PRUNE_BATCH_ROWS
  const accounts = await db.$queryRaw<{ id: string; timeZone: string }[]>`
    SELECT a.id, u."timeZone" FROM "ExchangeAccount" a JOIN "User" u ON u.id = a."userId" ORDER BY a.id`
  let deleted = 0
  const failed: string[] = []
  for (const a of accounts) {
    try {
      deleted += await pruneAccount(db, a, cutoff, batch)
    } catch (e) {
      // One account's failure (say a zone PostgreSQL does not know) leaves the others pruned.
      failed.push(`${a.id}: ${(e as Error).message}`)
    }
  }
  if (failed.length) throw new Error(`equity snapshots of ${failed.length} account(s) not pruned: ${failed.join('; ')}`)
  return deleted
}

async function pruneAccount(db: DbTx, a: { id: string; timeZone: string }, cutoff: string, batch: number): Promise<number> {
  const firsts = (
    await db.$queryRaw<{ id: bigint }[]>`
      SELECT DISTINCT ON (unpriced) id FROM "EquitySnapshot" WHERE "accountId" = ${a.id} ORDER BY unpriced, "at", id`
  ).map((r) => r.id.toString())
  let deleted = 0
  // Rows before the last one deleted were all looked at already: each batch starts there.
  let from = '-infinity'
  for (;;) {
    const [r] = await db.$queryRaw<{ n: number; last: Date | null }[]>`
      WITH doomed AS (
        SELECT s.id, s."at" FROM "EquitySnapshot" s
        -- The next snapshot of the same account and kind, one index probe per row. (As an EXISTS,
        -- a freshly filled table without statistics got a hash join comparing every pair of rows.)
        CROSS JOIN LATERAL (
          SELECT n."at" FROM "EquitySnapshot" n
          WHERE n."accountId" = s."accountId" AND n.unpriced = s.unpriced AND n."at" >= s."at" AND (n."at", n.id) > (s."at", s.id)
          ORDER BY n."at", n.id
          LIMIT 1
        ) nxt
        WHERE s."accountId" = ${a.id} AND s."at" >= ${from}::timestamp(3) AND s."at" < ${cutoff}::timestamp(3)
          AND s.id <> ALL(${firsts}::bigint[])
          AND s.reason <> 'FILL'
          -- It goes when the next one is in the same UTC hour and the same day of the owner's.
          AND nxt."at" < LEAST(
            date_trunc('hour', s."at") + interval '1 hour',
            ((date_trunc('day', (s."at" AT TIME ZONE 'UTC') AT TIME ZONE ${a.timeZone}) + interval '1 day') AT TIME ZONE ${a.timeZone}) AT TIME ZONE 'UTC')
        ORDER BY s."at", s.id
        LIMIT ${batch}
      ), gone AS (
        DELETE FROM "EquitySnapshot" WHERE id IN (SELECT id FROM doomed) RETURNING "at"
      )
      SELECT count(*)::int AS n, max("at") AS last FROM gone`
    deleted += r?.n ?? 0
    if (!r || r.n < batch || !r.last) return deleted
    from = r.last.toISOString()
  }
}

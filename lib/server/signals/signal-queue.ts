import type pg from 'pg'

/**
 * The durable queue of webhook signals is the Signal table itself: the intake writes a row
 * ACCEPTED and NOTIFYs this channel (payload: the trader's account id) in the same transaction.
 */
export const SIGNALS_CHANNEL = 'tradeloop_signals'

/**
 * A signal being processed is held by a session-level advisory lock (this class, the hash of its
 * id) on the processing worker's own connection. PostgreSQL releases it when that connection ends,
 * so a PROCESSING signal whose lock can be taken has no living worker: it is picked up again.
 */
export const PROCESSING_LOCK_CLASS = 7_312

/**
 * Claims up to `limit` queued signals, oldest first, never one that has an older signal of the
 * same trader and symbol still queued or processing (so "close" then "open" run in that order):
 * marks them PROCESSING and takes each one's processing lock on `session` in the same statement,
 * so a signal is never PROCESSING without its lock held, except when the lock was taken by
 * another session (a hash collision: rare), in which case the row is left for recovery.
 * `accounts`: only signals of traders on these accounts (null: all).
 */
export async function claimSignals(session: pg.Client, o: { limit: number; accounts: readonly string[] | null }): Promise<{ id: string; locked: boolean }[]> {
  const r = await session.query<{ id: string; locked: boolean }>(
    `WITH next AS (
       SELECT s.id FROM "Signal" s JOIN "Trader" t ON t.id = s."traderId"
       WHERE s.status = 'ACCEPTED' AND ($2::text[] IS NULL OR t."accountId" = ANY($2::text[]))
         AND NOT EXISTS (
           SELECT 1 FROM "Signal" o
           WHERE o."traderId" = s."traderId" AND o.symbol = s.symbol AND o.status IN ('ACCEPTED', 'PROCESSING')
             AND (o."receivedAt" < s."receivedAt" OR (o."receivedAt" = s."receivedAt" AND o.id < s.id)))
       ORDER BY s."receivedAt", s.id
       LIMIT $1
       FOR UPDATE OF s SKIP LOCKED
     )
     UPDATE "Signal" u SET status = 'PROCESSING', attempts = u.attempts + 1
     FROM next WHERE u.id = next.id
     RETURNING u.id, pg_try_advisory_lock($3::int, hashtext(u.id)) AS locked`,
    [o.limit, o.accounts ? [...o.accounts] : null, PROCESSING_LOCK_CLASS],
  )
  return r.rows
}

/** PROCESSING signals (of these accounts), oldest first: candidates for recovery. */
export async function processingSignals(session: pg.Client, accounts: readonly string[] | null): Promise<string[]> {
  const r = await session.query<{ id: string }>(
    `SELECT s.id FROM "Signal" s JOIN "Trader" t ON t.id = s."traderId"
     WHERE s.status = 'PROCESSING' AND ($1::text[] IS NULL OR t."accountId" = ANY($1::text[]))
     ORDER BY s."receivedAt", s.id LIMIT 100`,
    [accounts ? [...accounts] : null],
  )
  return r.rows.map((x) => x.id)
}

/**
 * Takes an abandoned PROCESSING signal: its lock is free (its worker is gone) and it is still
 * PROCESSING once the lock is held (it was not finished meanwhile). False: leave it.
 */
export async function adoptSignal(session: pg.Client, id: string): Promise<boolean> {
  const got = await session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS ok', [PROCESSING_LOCK_CLASS, id])
  if (!got.rows[0]?.ok) return false
  const r = await session.query(`UPDATE "Signal" SET attempts = attempts + 1 WHERE id = $1 AND status = 'PROCESSING'`, [id])
  if (r.rowCount) return true
  await releaseSignal(session, id)
  return false
}

/** Gives up the processing lock, after the signal's outcome is committed. */
export async function releaseSignal(session: pg.Client, id: string): Promise<void> {
  await session.query('SELECT pg_advisory_unlock($1::int, hashtext($2))', [PROCESSING_LOCK_CLASS, id])
}

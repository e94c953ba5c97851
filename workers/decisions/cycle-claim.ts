import type pg from 'pg'

// Two-key advisory locks (objsubid 2), a class apart from the lease's members and shards (72_720, 72_721).
export const CYCLE_CLASS = 72_722

/**
 * One analysis cycle per trader at a time, across worker processes: a session-level advisory lock
 * on a connection of its own, held while the cycle runs. The account lease moves a trader to
 * another worker once the old owner's work has ended, but gives up waiting after its drain cap
 * (60 s), and a cycle waiting on a slow model can run longer; the new owner must not start a
 * second cycle meanwhile (two partial exits, two decisions). PostgreSQL frees the lock when the
 * worker dies or loses its connection, so a claim never outlives the cycle's worker.
 *
 * The trader's id is hashed to the lock's second key (hashtext): two traders whose ids share a
 * hash wait for each other's cycles, which only delays one.
 *
 * Returns the release, or null when another session holds the trader's claim. `onLost` hears of
 * the connection failing while the claim is held (the claim is gone with it; the cycle goes on).
 */
export async function claimCycle(pool: pg.Pool, traderId: string, onLost: (e: Error) => void): Promise<(() => Promise<void>) | null> {
  const client = await pool.connect()
  // A checked-out client has no listener of the pool's: its 'error' would end the process.
  client.on('error', onLost)
  try {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [CYCLE_CLASS, traderId])
    if (!rows[0]?.ok) {
      client.off('error', onLost)
      client.release()
      return null
    }
  } catch (e) {
    client.off('error', onLost)
    client.release(e as Error)
    throw e
  }
  return async () => {
    client.off('error', onLost)
    try {
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [CYCLE_CLASS, traderId])
      client.release()
    } catch (e) {
      // The connection is discarded, and the lock with its session.
      client.release(e as Error)
    }
  }
}

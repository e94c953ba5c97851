import type { Health } from '@/lib/server/health/get-health'

/**
 * Which of the dashboard's health alerts to show. A database that cannot be reached is said alone:
 * the worker's heartbeat and the newest quote are read from it, so with it gone their state is
 * unknown, and "worker down: it has never reported" would send the reader to the wrong process.
 * `liveFresh`: a quote arrived on the stream within the stale limit; `quiet`: none for longer;
 * `idle`: nothing is watched, so no quotes are expected.
 */
export function healthAlerts(health: Health, o: { liveFresh: boolean; quiet: boolean; idle: boolean }) {
  const databaseDown = !health.database.ok
  return {
    databaseDown,
    // Said whatever else is said: a full disk may be why the database is down.
    diskLow: health.disk !== null && !health.disk.ok,
    workerDown: !databaseDown && !health.worker.ok && !o.liveFresh,
    stale: !databaseDown && !o.liveFresh && !o.idle && (!health.marketData.ok || o.quiet),
  }
}

import { Semaphore, SemaphoreTimeout } from '@/lib/server/concurrency/semaphore'
import { busy } from '@/lib/server/errors/app-error'

// Entries in flight at once in this process. An entry takes pool connections one after another
// (its reads, its transaction, the exchange's); many more in parallel than the database has cores
// only queue inside PostgreSQL and the pool, and under a burst every request then waits on the
// pool for the length of the whole burst and times out there. Waiting here holds no connection:
// a burst is served in arrival order at full speed, and an entry not admitted in time is
// answered 503 with Retry-After before anything is written.
export const ENTRY_CONCURRENCY = 8
export const ENTRY_MAX_WAIT_MS = 120_000
const ENTRY_MAX_QUEUE = 10_000
const ENTRY_RETRY_AFTER_SECONDS = 5
/** Exported so tests can hold every slot and see the 503. */
export const entrySlots = new Semaphore(ENTRY_CONCURRENCY, ENTRY_MAX_WAIT_MS, ENTRY_MAX_QUEUE)

/** Runs one entry in a slot; BUSY (503, Retry-After) when none frees up in time. */
export function inEntrySlot<T>(fn: () => Promise<T>, slots: Semaphore = entrySlots): Promise<T> {
  return slots.run(fn).catch((err: unknown) => {
    if (err instanceof SemaphoreTimeout) throw busy('too many entries are being placed right now; try again in a few seconds', ENTRY_RETRY_AFTER_SECONDS)
    throw err
  })
}

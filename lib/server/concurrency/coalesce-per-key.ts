/**
 * Wraps `fn` so that, per key, at most one run is in flight and at most one more waits: calls
 * that arrive while a run is in flight share the single run that follows it. For work that
 * re-reads current state (a position reloaded on each of its change notifications): a
 * transaction's notifications arrive together, and one read after them sees all they announce,
 * so six notifications cost two reads instead of six, and no change is missed.
 */
export function coalescePerKey(fn: (key: string) => Promise<unknown>): (key: string) => Promise<void> {
  const inFlight = new Map<string, Promise<void>>()
  const waiting = new Map<string, Promise<void>>()
  const start = (key: string): Promise<void> => {
    const run: Promise<void> = fn(key)
      .then(() => undefined)
      .finally(() => {
        if (inFlight.get(key) === run) inFlight.delete(key)
      })
    inFlight.set(key, run)
    return run
  }
  return (key) => {
    const queued = waiting.get(key)
    if (queued) return queued
    const current = inFlight.get(key)
    if (!current) return start(key)
    // After the run in flight, however it ended (its own callers hear how).
    const next = current
      .catch(() => undefined)
      .then(() => {
        waiting.delete(key)
        return start(key)
      })
    waiting.set(key, next)
    return next
  }
}

import { batchPerKey } from './batch-per-key'

/**
 * Wraps `fn` so that, per key, at most one run is in flight and at most one more waits: calls
 * that arrive while a run is in flight share the single run that follows it. For work that
 * re-reads current state (a position reloaded on each of its change notifications): a
 * transaction's notifications arrive together, and one read after them sees all they announce,
 * so six notifications cost two reads instead of six, and no change is missed. It is batchPerKey
 * with requests that carry nothing but their key.
 */
export function coalescePerKey(fn: (key: string) => Promise<unknown>): (key: string) => Promise<void> {
  const batched = batchPerKey<undefined, void>(async (key) => void (await fn(key)))
  return (key) => batched(key, undefined)
}

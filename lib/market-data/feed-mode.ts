/**
 * Which source is delivering quotes right now: 'stream' (the exchange pushes them), 'polling'
 * (REST on an interval; the feed cannot stream), or 'polling (stream down: <reason>)' (it can,
 * but the stream is not up, and REST polling stands in).
 */
export type FeedMode = 'stream' | 'polling' | `polling (stream down: ${string})`

export function streamDown(reason: string): FeedMode {
  return `polling (stream down: ${reason})`
}

const SEPARATOR = '|'

/**
 * The worker heartbeat has a column for the feed's kind and none for its mode. Rather than a
 * schema change, the mode rides in the kind column after a '|': 'exchange|stream',
 * 'exchange|polling (stream down: connection refused)'. Kinds never contain '|'.
 */
export function encodeFeedKind(kind: string, mode: FeedMode): string {
  return `${kind}${SEPARATOR}${mode}`
}

/** Heartbeats written before the mode existed carry the kind alone: their mode is null. */
export function decodeFeedKind(stored: string | null | undefined): { kind: string | null; mode: string | null } {
  if (stored === null || stored === undefined) return { kind: null, mode: null }
  const at = stored.indexOf(SEPARATOR)
  if (at < 0) return { kind: stored, mode: null }
  return { kind: stored.slice(0, at), mode: stored.slice(at + 1) || null }
}

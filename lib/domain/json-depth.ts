/**
 * The bodies this product takes nest a few levels (an order's take-profits, a settings group). A
 * body nested much deeper is refused before anything walks it recursively: the unstorable-text
 * check (findUnstorableText) and JSON.stringify overflowed the stack at a few thousand levels,
 * which a 16 KB body can reach.
 */
export const MAX_JSON_DEPTH = 32
export const TOO_DEEP_MESSAGE = `nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep`

/** Whether parsed JSON holds objects or arrays nested more than `max` deep (walked without recursion). */
export function nestsDeeperThan(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const pending: [unknown, number][] = [[value, 1]]
  while (pending.length) {
    const [v, depth] = pending.pop()!
    if (v === null || typeof v !== 'object') continue
    if (depth > max) return true
    for (const child of Array.isArray(v) ? v : Object.values(v)) pending.push([child, depth + 1])
  }
  return false
}

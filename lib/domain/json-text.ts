/**
 * Text PostgreSQL cannot store, as parsed JSON can hold it: a NUL (refused in text and jsonb), and
 * a lone UTF-16 surrogate, which only a JSON escape makes (`"\ud800"`): JSON.stringify writes it
 * back as that escape and jsonb refuses it, so a body holding one failed its whole transaction.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** The text with what PostgreSQL cannot store (a NUL, half a surrogate pair) replaced by U+FFFD: for text we keep but do not refuse, such as a model's reasoning. */
export function storableText(s: string): string {
  return s.replace(/\u0000/g, '\uFFFD').replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD')
}

export function unstorableTextProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain a NUL character (\\u0000)'
  if (LONE_SURROGATE.test(s)) return 'must not contain a lone surrogate (\\ud800–\\udfff without its pair)'
  return null
}

/**
 * The first string of a parsed JSON value, keys included, that PostgreSQL cannot store: its
 * dotted path (`''` for the top level; the offending characters of a key written as escapes)
 * and the problem; null when there is none. Bodies handed on without a schema for every key
 * (settings groups, limits) are checked with this before anything reads them.
 */
export function findUnstorableText(value: unknown, path: string[] = []): { field: string; message: string } | null {
  if (typeof value === 'string') {
    const message = unstorableTextProblem(value)
    return message ? { field: path.join('.'), message } : null
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Array.isArray(value) ? value.map((x, i) => [String(i), x] as const) : Object.entries(value)) {
      const message = unstorableTextProblem(k)
      if (message) return { field: [...path, escapeUnstorable(k)].join('.'), message }
      const found = findUnstorableText(v, [...path, k])
      if (found) return found
    }
  }
  return null
}

const escapeUnstorable = (k: string) => k.replace(/[\u0000\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

/** Longest message stored and shown for a failed connection test. */
const MAX_LENGTH = 500

// A URL's query string: ccxt puts signed requests' parameters there (timestamps, signatures).
const URL_QUERY = /(\bhttps?:\/\/[^\s?"'<>]+)\?[^\s"'<>]*/gi

/**
 * What a failed connection test says, safe to store and show: the exchange's own message with
 * request query strings dropped, the key material (`secrets`) masked wherever it appears (a
 * whole PEM secret and each of its lines), and bounded in length.
 */
export function connectionErrorText(error: unknown, secrets: string[]): string {
  let text = error instanceof Error ? error.message : String(error)
  const pieces = secrets.flatMap((s) => [s, ...s.split(/\r?\n/)]).map((s) => s.trim()).filter((s) => s.length >= 6)
  // Longest first, so a whole secret is masked before the lines it contains.
  for (const piece of [...new Set(pieces)].sort((a, b) => b.length - a.length)) text = text.split(piece).join('••••')
  text = text.replace(URL_QUERY, '$1').replace(/\s+/g, ' ').trim()
  if (text === '') text = 'the exchange gave no reason'
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text
}

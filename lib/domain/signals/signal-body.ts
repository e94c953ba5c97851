import { nestsDeeperThan, TOO_DEEP_MESSAGE } from '@/lib/domain/json-depth'
import { findUnstorableText } from '@/lib/domain/json-text'

/**
 * A webhook signal's body as a flat record of fields. TradingView posts the alert message as it
 * was typed: `application/json` when it is valid JSON, `text/plain` otherwise. So the content type
 * is not trusted; the text is read as a JSON object when it looks like one, else as `key=value`
 * pairs, one a line or separated by `;` (keys are case-insensitive there, as in OctoBot's format):
 *
 *     secret=…
 *     symbol=BINANCE:BTCUSDT
 *     action=buy
 */
export type SignalBody = { ok: true; fields: Record<string, unknown>; format: 'json' | 'lines' } | { ok: false; field: string; message: string }

/** The largest body read; a TradingView alert message is at most a few kilobytes. */
export const MAX_SIGNAL_BODY_CHARS = 16_384

export function readSignalBody(text: string): SignalBody {
  if (text.length > MAX_SIGNAL_BODY_CHARS) return { ok: false, field: 'body', message: `is longer than ${MAX_SIGNAL_BODY_CHARS} characters` }
  const trimmed = text.trim()
  if (!trimmed) return { ok: false, field: 'body', message: 'is empty: send the alert message as JSON or key=value lines' }
  if (trimmed.startsWith('{')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(trimmed)
    } catch {
      return { ok: false, field: 'body', message: 'is not valid JSON' }
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, field: 'body', message: 'must be a JSON object' }
    if (nestsDeeperThan(parsed)) return { ok: false, field: 'body', message: TOO_DEEP_MESSAGE }
    const unstorable = findUnstorableText(parsed)
    if (unstorable) return { ok: false, field: unstorable.field || 'body', message: unstorable.message }
    return { ok: true, fields: parsed as Record<string, unknown>, format: 'json' }
  }
  const fields: Record<string, unknown> = {}
  const parts = trimmed.split(/[\n;]/)
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!.trim()
    if (!part) continue
    const eq = part.indexOf('=')
    if (eq <= 0) return { ok: false, field: 'body', message: `part ${i + 1} is not key=value (the body must be JSON or key=value lines)` }
    const key = part.slice(0, eq).trim().toLowerCase()
    if (Object.hasOwn(fields, key)) return { ok: false, field: key, message: 'is given twice' }
    fields[key] = part.slice(eq + 1).trim()
  }
  return { ok: true, fields, format: 'lines' }
}

/** The secret as the sender gave it, wherever the body put it (null when there is none to read). */
export function presentedSecret(body: SignalBody): string | null {
  if (!body.ok) return null
  const v = body.fields.secret
  return typeof v === 'string' ? v : null
}

const REDACTED = '[redacted]'

/**
 * The body as received with every secret replaced, for the signal log: the `secret` field of a
 * JSON object or a key=value line (also in a body that does not parse), and any occurrence of
 * the given secrets (the trader's own, the one presented) anywhere else.
 */
export function redactSignalBody(text: string, secrets: (string | null | undefined)[]): string {
  let out = text
    // "secret": "…" in JSON, even malformed JSON (escaped quotes inside the value included).
    .replace(/("secret"\s*:\s*)"(?:[^"\\]|\\.)*"?/gi, `$1"${REDACTED}"`)
    // "secret": 123 (a number or a bare word).
    .replace(/("secret"\s*:\s*)(?!")[^,}\s]+/gi, `$1"${REDACTED}"`)
    // secret=… up to the end of its line or the next ';'.
    .replace(/(^|[\n;])(\s*secret\s*=)[^\n;]*/gi, `$1$2${REDACTED}`)
  for (const s of secrets) {
    // A very short string would blank out unrelated text; those are caught by the field rules above.
    if (s && s.length >= 8) out = out.split(s).join(REDACTED)
  }
  return out
}

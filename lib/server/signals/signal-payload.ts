import { z } from 'zod'
import type { Decimal } from '@/lib/domain/decimal'
import type { FieldError } from '@/lib/domain/field-error'
import { SIGNAL_INTENTS } from '@/lib/domain/signals/signal-intent'
import { zodFieldErrors } from '@/lib/server/errors/app-error'
import { ZPositiveDecimal } from '@/lib/server/validation/decimal-field'
import { textField } from '@/lib/server/validation/text-field'

// TradingView fills placeholders in as text; a hand-written JSON message may carry numbers
// (`"price": {{close}}` unquoted). A blank value is a field left out.
const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v)
const asText = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : v)
const text = (max: number) => z.preprocess((v) => asText(blankToUndefined(v)), textField({ max }).optional())
const positive = z.preprocess(blankToUndefined, ZPositiveDecimal.optional())
const lower = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.preprocess((v) => (typeof v === 'string' ? blankToUndefined(v.trim().toLowerCase()) : blankToUndefined(v)), z.enum(values, { error: `must be ${what}` }).optional())

/** `{{timenow}}` (ISO 8601, UTC, to the second), or seconds / milliseconds since the epoch. */
const ZTimestamp = z.preprocess(
  (v) => {
    v = blankToUndefined(typeof v === 'string' ? v.trim() : v)
    if (v === undefined) return undefined
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{9,13}$/.test(v) ? Number(v) : null
    if (n !== null) return new Date(n < 1e11 ? n * 1000 : n)
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v)) return new Date(v)
    return v
  },
  z.date({ error: 'must be an ISO 8601 time with its zone (e.g. 2026-01-31T12:00:00Z, as {{timenow}} gives) or seconds since the epoch' }).refine((d) => !Number.isNaN(d.getTime()), 'is not a valid time')
    // A negative or huge number is a valid JavaScript date that PostgreSQL cannot store.
    .refine((d) => Number.isNaN(d.getTime()) || (d.getUTCFullYear() >= 1970 && d.getUTCFullYear() <= 9999), 'is out of range (years 1970 to 9999)')
    .optional(),
)

/** `{{strategy.position_size}}`: signed, informational. */
const ZSignedDecimal = z.preprocess(
  (v) => asText(blankToUndefined(v)),
  z.string().trim().regex(/^-?\d{1,18}(\.\d{1,18})?$/, 'must be a decimal number such as -0.5').optional(),
)

/** Take-profit prices, separated by commas or spaces; each gets an equal share (the last takes the rest). */
const ZTargets = z.preprocess(
  (v) => {
    v = blankToUndefined(v)
    if (typeof v === 'number') return [String(v)]
    if (typeof v === 'string') return v.split(/[,\s]+/).filter(Boolean)
    return v
  },
  z.array(ZPositiveDecimal, { error: 'must be one or more prices separated by commas' }).min(1).max(4, 'at most 4 take-profit prices').optional(),
)

/**
 * The fields of a signal, all optional but secret, symbol and action (see docs/README: the
 * webhook section). Anything else is refused by name, so a typo never passes unnoticed.
 */
export const SIGNAL_FIELDS = {
  // Checked before the fields (and optional when the request is signed instead).
  secret: z.string({ error: 'must be a string' }).optional(),
  symbol: z.preprocess(asText, textField({ max: 60 }).min(1, 'is required')),
  action: z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), z.enum(['buy', 'sell'], { error: 'must be buy or sell' })),
  intent: lower(SIGNAL_INTENTS, SIGNAL_INTENTS.join(', ')),
  id: text(200),
  timestamp: ZTimestamp,
  price: positive,
  contracts: positive,
  size: positive,
  stop_loss: positive,
  take_profit: ZTargets,
  position_size: ZSignedDecimal,
  market_position: lower(['long', 'short', 'flat'] as const, 'long, short or flat'),
  interval: text(20),
  exchange: text(40),
  comment: text(200),
} as const

const ZSignalPayload = z.object(SIGNAL_FIELDS)
export type SignalPayload = z.output<typeof ZSignalPayload>

/** What the signal log keeps of a payload (the `payload` column): every field but the secret, as text. */
export function storedPayload(p: SignalPayload): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(p)) {
    if (k === 'secret' || v === undefined) continue
    out[k] = v instanceof Date ? v.toISOString() : Array.isArray(v) ? v.map((d: Decimal) => d.toFixed()).join(',') : typeof v === 'object' ? (v as Decimal).toFixed() : String(v)
  }
  return out
}

export type PayloadParse = { ok: true; value: SignalPayload } | { ok: false; errors: FieldError[] }

/** Checks a body's fields: unknown ones first (each named), then each known one. */
export function parseSignalPayload(fields: Record<string, unknown>): PayloadParse {
  const unknown = Object.keys(fields).filter((k) => !Object.hasOwn(SIGNAL_FIELDS, k))
  if (unknown.length) return { ok: false, errors: unknown.map((field) => ({ field, message: 'is not a known field' })) }
  const r = ZSignalPayload.safeParse(fields)
  return r.success ? { ok: true, value: r.data } : { ok: false, errors: zodFieldErrors(r.error) }
}

import { z } from 'zod'

// PostgreSQL refuses a NUL in text and jsonb (a 500 if it gets that far), and no name, note or
// URL we store has a use for the other C0/DEL control characters. Multi-line text keeps
// tab, line feed and carriage return.
const SINGLE_LINE_CONTROL = /[\u0000-\u001F\u007F]/
const MULTILINE_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/

export interface TextFieldOptions {
  /** Longest accepted value (after trimming), in characters. */
  max: number
  /** Allow tab, line feed and carriage return (notes, reasons). */
  multiline?: boolean
  /** Keep surrounding whitespace (passwords, secrets). */
  keepWhitespace?: boolean
}

/** True when `value` has a character the given kind of text field refuses. */
export function hasControlCharacter(value: string, multiline = false): boolean {
  return (multiline ? MULTILINE_CONTROL : SINGLE_LINE_CONTROL).test(value)
}

/**
 * The one rule for a string that comes from outside (request bodies, query strings, forms):
 * a string, trimmed, at most `max` characters, and without control characters. Chain further
 * checks (`.min(1, 'is required')`, `.toUpperCase().regex(...)`) onto the result. Messages name
 * the problem; the error's field path names the field. Messages never echo the value.
 */
export function textField(o: TextFieldOptions) {
  const base = z.string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string') })
  return (o.keepWhitespace ? base : base.trim())
    .max(o.max, `at most ${o.max} characters`)
    .refine((v) => !hasControlCharacter(v, o.multiline), {
      message: o.multiline ? 'must not contain control characters' : 'must not contain control characters or line breaks',
    })
}

import { z } from 'zod'

const TRUE = new Set<unknown>([true, 'true', 'on', '1'])
const FALSE = new Set<unknown>([false, 'false', 'off', '0', ''])

/**
 * A yes/no field from JSON (true/false) or a form ('on', 'true', '1' / 'false', 'off', '0', '').
 * Anything else is refused rather than read as false; absent stays absent (for defaults).
 */
export const ZFormBoolean = z.preprocess(
  (v) => (v === undefined ? undefined : TRUE.has(v) ? true : FALSE.has(v) ? false : v),
  z.boolean({ error: 'must be true or false' }),
)

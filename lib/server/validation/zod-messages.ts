import { z } from 'zod'

// Issues zod raises for a value of the wrong type or outside a set; for a field left out their
// words depend on the schema ("Invalid option: expected one of …", "Invalid input: expected
// string, received undefined").
const WRONG_VALUE = new Set(['invalid_type', 'invalid_value', 'invalid_union'])

const TYPE_WORDS: Record<string, string> = {
  int: 'must be a whole number',
  number: 'must be a number',
  string: 'must be a string',
  boolean: 'must be true or false',
  array: 'must be a list',
  object: 'must be an object',
}

type Bound = { origin?: string; minimum?: unknown; maximum?: unknown; inclusive?: boolean }

function bound(iss: Bound, side: 'least' | 'most'): string | undefined {
  const limit = String(side === 'least' ? iss.minimum : iss.maximum)
  if (iss.origin === 'number' || iss.origin === 'int') {
    if (iss.inclusive === false) return `must be ${side === 'least' ? 'greater' : 'less'} than ${limit}`
    return `must be at ${side} ${limit}`
  }
  if (iss.origin === 'string') return `must be at ${side} ${limit} characters`
  if (iss.origin === 'array' || iss.origin === 'set') return `must have at ${side} ${limit} ${limit === '1' ? 'item' : 'items'}`
  return undefined
}

/**
 * The house wording for zod's own messages: "Too small: expected number to be >=1" reads "must be
 * at least 1", 'Invalid option: expected one of "LONG"|"SHORT"' reads "must be one of LONG,
 * SHORT", and every required field that was left out is answered "is required".
 * Lowest precedence: a schema's own message still wins. Imported for this effect by the route and
 * action wrappers, which every API call and form action passes through before a schema parses.
 */
z.config({
  customError: (iss) => {
    if (iss.input === undefined && WRONG_VALUE.has(iss.code)) return 'is required'
    if (iss.code === 'too_small') return bound(iss, 'least')
    if (iss.code === 'too_big') return bound(iss, 'most')
    if (iss.code === 'invalid_type') return TYPE_WORDS[iss.expected]
    if (iss.code === 'invalid_value') return `must be one of ${iss.values.map((v) => String(v)).join(', ')}`
    return undefined
  },
})

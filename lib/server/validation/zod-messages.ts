import { z } from 'zod'

// Issues zod raises for a value of the wrong type or outside a set; for a field left out their
// words depend on the schema ("Invalid option: expected one of …", "Invalid input: expected
// string, received undefined").
const WRONG_VALUE = new Set(['invalid_type', 'invalid_value', 'invalid_union'])

/**
 * Every required field that was left out is answered "is required". Lowest precedence: a
 * schema's own message still wins. Imported for this effect by the route and action wrappers,
 * which every API call and form action passes through before a schema parses its input.
 */
z.config({ customError: (iss) => (iss.input === undefined && WRONG_VALUE.has(iss.code) ? 'is required' : undefined) })

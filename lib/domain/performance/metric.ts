import type { Decimal } from '@/lib/domain/decimal'

/**
 * A derived figure that does not always exist (a ratio over nothing, a deviation of one value):
 * either its value, or why there is none, in words a person can read next to the figure.
 */
export type Metric = { value: Decimal; reason: null } | { value: null; reason: string }

export const known = (value: Decimal): Metric => ({ value, reason: null })
export const unavailable = (reason: string): Metric => ({ value: null, reason })

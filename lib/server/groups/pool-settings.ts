import { z } from 'zod'
import { ZFormBoolean } from '@/lib/server/validation/boolean-field'

const intz = (min: number, max: number) => z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `at most ${max}`)

/**
 * The group pool of a user (all their traders), stored as JSON in User.poolSettings: how many
 * position groups may be open at once, and how long an entry that found no slot may wait.
 */
export const ZPoolSettings = z.strictObject({
  /** Position groups open at once across the user's traders. */
  maxOpenGroups: intz(1, 1000).default(10),
  /** Each further pyramid of an open group takes a slot of its own too (and may wait for one). */
  pyramidsTakeSlot: ZFormBoolean.default(false),
  /** An entry waiting for a slot is dropped after this many minutes. */
  queueExpiryMinutes: intz(1, 10_080).default(60),
})
export type PoolSettings = z.output<typeof ZPoolSettings>

/** A user's stored pool settings; unreadable (an older shape) reads as the defaults. */
export function readPoolSettings(stored: unknown): PoolSettings {
  const r = ZPoolSettings.safeParse(stored ?? {})
  return r.success ? r.data : ZPoolSettings.parse({})
}

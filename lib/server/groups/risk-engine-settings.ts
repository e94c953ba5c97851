import { z } from 'zod'
import { dec } from '@/lib/domain/decimal'
import { ZFormBoolean } from '@/lib/server/validation/boolean-field'
import { ZDecimal } from '@/lib/server/validation/decimal-field'

const intz = (min: number, max: number) => z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `at most ${max}`)

/**
 * The group risk engine of a user, stored as JSON in User.riskEngineSettings: when a losing group
 * is offset by closing part of the winners and then the loser. Off, and in dry run, by default.
 */
export const ZRiskEngineSettings = z.strictObject({
  enabled: ZFormBoolean.default(false),
  /** Only report what it would do (a PLANNED run), never act. */
  dryRun: ZFormBoolean.default(true),
  /** A group qualifies as the loser once its unrealized loss reaches this % of its cost. */
  lossThresholdPct: ZDecimal.refine((d) => d.gte('0.1') && d.lte(90), { message: 'must be between 0.1 and 90' }).default(dec(5)),
  /** …and its last entry (pyramid) is at least this old. */
  minAgeMinutes: intz(0, 10_080).default(60),
  /** …and it has all of its pyramids (nothing left to average down with). */
  requireAllPyramids: ZFormBoolean.default(true),
  /** Winners taken from, the most profitable first. */
  maxWinners: intz(1, 10).default(3),
})
export type RiskEngineSettings = z.output<typeof ZRiskEngineSettings>

export function readRiskEngineSettings(stored: unknown): RiskEngineSettings {
  const r = ZRiskEngineSettings.safeParse(stored ?? {})
  return r.success ? r.data : ZRiskEngineSettings.parse({})
}

/** As stored and shown: the decimal as an exact string. */
export function storedRiskEngineSettings(s: RiskEngineSettings) {
  return { ...s, lossThresholdPct: s.lossThresholdPct.toFixed() }
}
export type StoredRiskEngineSettings = ReturnType<typeof storedRiskEngineSettings>

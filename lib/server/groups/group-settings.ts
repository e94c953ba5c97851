import { z } from 'zod'
import { dec } from '@/lib/domain/decimal'
import { DCA_SIZINGS, MAX_GRID_LEGS, gridConfigProblems, legDeviations, type GridConfig } from '@/lib/domain/groups/dca-grid'
import { STOP_BASES, TAKE_PROFIT_MODES } from '@/lib/domain/groups/group-targets'
import { ZFormBoolean } from '@/lib/server/validation/boolean-field'
import { ZDecimal, ZPositiveDecimal } from '@/lib/server/validation/decimal-field'

const dz = (min: string, max: string) => ZDecimal.refine((d) => d.gte(min) && d.lte(max), { message: `must be between ${min} and ${max}` })
const intz = (min: number, max: number) => z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `at most ${max}`)
/** A list of decimals above 0: an array from JSON, or "1, 2, 3.5" from a form; absent, null or '' is no list. */
const decimalList = z.preprocess(
  (v) => (v === null || (typeof v === 'string' && v.trim() === '') ? undefined : typeof v === 'string' ? v.split(',').map((s) => s.trim()) : v),
  z.array(ZPositiveDecimal, { error: 'must be a list of numbers such as 1, 2, 3.5' }).max(MAX_GRID_LEGS, `at most ${MAX_GRID_LEGS} values`).optional(),
)

const ZGroupSettingsFields = z.strictObject({
  /** Off: signals open single positions, as without groups. */
  enabled: ZFormBoolean.default(false),
  /** Entries (pyramids) per group, the first included. */
  maxPyramids: intz(1, 20).default(5),
  /** Capital of one pyramid (the sum of its legs), in the quote currency. */
  pyramidCapitalQuote: dz('0.00000001', '1000000000').default(dec(100)),
  /** Hard cap of a group's total notional across its pyramids; null: maxPyramids × pyramidCapitalQuote. */
  groupBudgetQuote: z.preprocess((v) => (v === '' || v === undefined ? null : v), dz('0.00000001', '1000000000').nullable()).default(null),
  /** Legs of one pyramid, the base leg included. */
  legs: intz(1, MAX_GRID_LEGS).default(5),
  firstGapPct: dz('0.01', '50').default(dec(1)),
  stepScale: dz('0.5', '5').default(dec(1)),
  /** Cumulative deviation of each DCA leg (legs − 1 strictly increasing values); overrides firstGapPct/stepScale. */
  deviationsPct: decimalList,
  sizing: z.enum(DCA_SIZINGS).default('EQUAL'),
  /** CUSTOM sizing: one weight per leg, summing to 100. */
  weightsPct: decimalList,
  volumeScale: dz('0.1', '10').default(dec(1)),
  safetyRatio: dz('0.1', '10').default(dec(1)),
  /** DCA legs resting at once across the group (all its pyramids); the rest wait and are placed as earlier ones fill. */
  maxActiveLegs: intz(1, 20).default(3),
  takeProfitMode: z.enum(TAKE_PROFIT_MODES).default('AGGREGATE'),
  legTakeProfitPct: dz('0.01', '100').default(dec(2)),
  aggregateTakeProfitPct: dz('0.01', '100').default(dec('1.5')),
  /**
   * Trailing take-profit (AGGREGATE mode only): the aggregate target starts the trail instead of
   * selling, and the group is closed once the price falls back this far from its best since;
   * null: off, the legs sell at the target.
   */
  trailingDeviationPct: z.preprocess((v) => (v === '' || v === undefined ? null : v), dz('0.01', '50').nullable()).default(null),
  stopPct: dz('0.1', '90').default(dec(10)),
  stopBasis: z.enum(STOP_BASES).default('FIRST_ENTRY'),
})
export type GroupSettings = z.output<typeof ZGroupSettingsFields>

/** The pyramid layout the domain plans from. */
export function gridConfigOf(s: GroupSettings): GridConfig {
  return {
    legs: s.legs,
    deviationsPct: s.deviationsPct,
    firstGapPct: s.firstGapPct,
    stepScale: s.stepScale,
    sizing: s.sizing,
    weightsPct: s.weightsPct,
    volumeScale: s.volumeScale,
    safetyRatio: s.safetyRatio,
    legTakeProfitPct: s.legTakeProfitPct,
  }
}

/**
 * How a trader groups entries into pyramids of DCA legs, stored as JSON in Trader.groupSettings
 * (decimals as strings). Every default lives here; the same schema checks what a person submits.
 * The cross-field checks run only once every field is valid: a field already refused (a step
 * scale of 6) would otherwise be reported again, in other words, on another field.
 */
export const ZGroupSettings = ZGroupSettingsFields.superRefine((s, ctx) => {
  const config = gridConfigOf(s)
  const problems = gridConfigProblems(config)
  for (const p of problems) ctx.addIssue({ code: 'custom', path: [p.field], message: p.message })
  if (problems.length === 0) {
    const deepest = legDeviations(config).at(-1)!
    // Settings serve both sides; a LONG leg this deep could never be placed.
    if (deepest.gte(100)) {
      ctx.addIssue({
        code: 'custom',
        path: [s.deviationsPct ? 'deviationsPct' : 'firstGapPct'],
        message: `the deepest leg would be ${deepest.toSignificantDigits(10).toFixed()}% from the entry; a LONG leg must be less than 100% below it`,
      })
    }
  }
  if (s.trailingDeviationPct !== null && s.takeProfitMode !== 'AGGREGATE') {
    ctx.addIssue({ code: 'custom', path: ['trailingDeviationPct'], message: `a trailing take-profit starts from the aggregate target: it needs take-profit mode AGGREGATE, not ${s.takeProfitMode}` })
  }
  if (s.groupBudgetQuote !== null && s.groupBudgetQuote.lt(s.pyramidCapitalQuote)) {
    ctx.addIssue({
      code: 'custom',
      path: ['groupBudgetQuote'],
      message: `a group budget of ${s.groupBudgetQuote.toFixed()} is less than one pyramid's capital ${s.pyramidCapitalQuote.toFixed()}: no pyramid could open`,
    })
  }
}, { when: (p) => p.issues.length === 0 })

/** A trader's stored group settings; unreadable (an older shape) reads as the defaults. */
export function readGroupSettings(stored: unknown): GroupSettings {
  const r = ZGroupSettings.safeParse(stored ?? {})
  return r.success ? r.data : ZGroupSettings.parse({})
}

/** Settings as they are stored and shown: decimals as exact strings. */
export function storedGroupSettings(s: GroupSettings) {
  return {
    enabled: s.enabled,
    maxPyramids: s.maxPyramids,
    pyramidCapitalQuote: s.pyramidCapitalQuote.toFixed(),
    groupBudgetQuote: s.groupBudgetQuote?.toFixed() ?? null,
    legs: s.legs,
    firstGapPct: s.firstGapPct.toFixed(),
    stepScale: s.stepScale.toFixed(),
    deviationsPct: s.deviationsPct?.map((d) => d.toFixed()) ?? null,
    sizing: s.sizing,
    weightsPct: s.weightsPct?.map((w) => w.toFixed()) ?? null,
    volumeScale: s.volumeScale.toFixed(),
    safetyRatio: s.safetyRatio.toFixed(),
    maxActiveLegs: s.maxActiveLegs,
    takeProfitMode: s.takeProfitMode,
    legTakeProfitPct: s.legTakeProfitPct.toFixed(),
    aggregateTakeProfitPct: s.aggregateTakeProfitPct.toFixed(),
    trailingDeviationPct: s.trailingDeviationPct?.toFixed() ?? null,
    stopPct: s.stopPct.toFixed(),
    stopBasis: s.stopBasis,
  }
}
export type StoredGroupSettings = ReturnType<typeof storedGroupSettings>

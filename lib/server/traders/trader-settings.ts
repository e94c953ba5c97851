import { z } from 'zod'
import { dec, type Decimal } from '@/lib/domain/decimal'
import { TIMEFRAMES } from '@/lib/domain/market/candle'
import { DEFAULT_ACCOUNT_LIMITS, DEFAULT_TRADER_LIMITS, type RiskLimits } from '@/lib/domain/risk/risk-limits'
import { ZFormBoolean } from '@/lib/server/validation/boolean-field'
import { hasControlCharacter, textField } from '@/lib/server/validation/text-field'
import { ZDecimal } from '@/lib/server/validation/decimal-field'
import { symbolList } from '@/lib/server/validation/symbol-field'

/**
 * The trader's decision, management, sizing, risk and approval settings. They are stored as
 * JSON (decimals as strings) and parsed here, so every default lives in this one file and
 * every reader gets exact Decimals. The same schemas validate what a person submits.
 */
const dz = (min: string, max: string) =>
  ZDecimal.refine((d) => d.gte(min) && d.lte(max), { message: `must be between ${min} and ${max}` })
/** Optional decimal: absent, null or '' means the rule/limit is off. */
const dzOff = (min: string, max: string) =>
  z.preprocess((v) => (v === '' || v === undefined ? null : v), dz(min, max).nullable())
const intz = (min: number, max: number) => z.coerce.number().int().min(min).max(max)
// Forms send 'on'/'true'; z.coerce.boolean would read the string 'false' as true.
const boolz = ZFormBoolean
const intOff = (min: number, max: number) => z.preprocess((v) => (v === '' || v === undefined ? null : v), intz(min, max).nullable())

export const ZAiSettings = z.object({
  /** OpenAI-compatible: e.g. https://api.openai.com/v1 or http://localhost:11434/v1; Anthropic: https://api.anthropic.com/v1 */
  // '' and null (how an absent value is stored) both mean "not set".
  baseUrl: z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z
      // Only http(s): file:, data:, javascript:, ftp: … are refused (the key is sent to this URL).
      .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
      .max(2048, 'at most 2048 characters')
      .refine((v) => !hasControlCharacter(v), 'must not contain control characters or line breaks')
      .optional(),
  ),
  model: z.preprocess((v) => (v === '' || v === null ? undefined : v), textField({ max: 200 }).optional()),
  timeoutMs: intz(1000, 300_000).default(30_000),
  maxRetries: intz(0, 5).default(2),
  inputCostPerMTok: dz('0', '1000').default(dec(0)),
  outputCostPerMTok: dz('0', '1000').default(dec(0)),
  dailyTokenBudget: intOff(1, 1_000_000_000).default(null),
  dailyCostBudgetUsd: dzOff('0', '100000').default(null),
  intervalMinutes: intz(1, 1440).default(5),
  timeframes: z.array(z.enum(TIMEFRAMES)).min(1, 'choose at least one timeframe').max(4).default(['1m', '15m']),
  minConfidence: dz('0', '1').default(dec('0.6')),
  maxStopDistancePct: dz('0.1', '50').default(dec(10)),
  maxEntryDeviationPct: dz('0.01', '20').default(dec(2)),
  maxTargetDistancePct: dz('0.1', '200').default(dec(50)),
  minTpFeeMultiple: dz('0', '20').default(dec(2)),
  maxModificationsPerHour: intz(0, 120).default(6),
  allowShort: boolz.default(true),
})
export type AiSettings = z.output<typeof ZAiSettings>

export const ZManagementRules = z.object({
  breakevenAtPct: dzOff('0.01', '100').default(dec(1)),
  breakevenOffsetPct: dz('0', '10').default(dec('0.2')),
  trailingPct: dzOff('0.01', '50').default(dec(2)),
  trailingAtrMult: dzOff('0.1', '20').default(null),
  tightenAfterMinutes: intOff(1, 60 * 24 * 30).default(null),
  tightenToPct: dzOff('0.01', '50').default(null),
})

export const ZSizing = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('FIXED_QUOTE'), amount: dz('0.00000001', '1000000000') }),
  z.object({ mode: z.literal('EQUITY_PCT'), pct: dz('0.01', '100') }),
  z.object({ mode: z.literal('RISK_PCT'), riskPct: dz('0.01', '100') }),
  z.object({ mode: z.literal('CONFIDENCE_SCALED'), riskPct: dz('0.01', '100') }),
])
export const DEFAULT_SIZING = { mode: 'RISK_PCT', riskPct: '1' } as const

const DEC_LIMITS = {
  maxPositionQuote: ['0', '1000000000'],
  maxPositionPctEquity: ['0.01', '100'],
  maxExposureQuote: ['0', '1000000000'],
  maxExposurePctEquity: ['0.01', '1000'],
  maxRiskPerTradePct: ['0.01', '100'],
  dailyLossLimitQuote: ['0', '1000000000'],
  dailyLossLimitPct: ['0.01', '100'],
  maxDrawdownPct: ['0.01', '100'],
  minOrderQuote: ['0', '1000000000'],
  maxOrderQuote: ['0', '1000000000'],
} as const
const INT_LIMITS = {
  maxConcurrentPositions: [1, 1000],
  maxTradesPerDay: [1, 100_000],
  cooldownMinutes: [0, 60 * 24 * 7],
  maxConsecutiveLosses: [1, 1000],
  duplicateWindowSeconds: [0, 86_400],
} as const

/** Every limit is optional (null = off); defaults come from the domain's safe defaults. */
function riskLimitsSchema(defaults: Readonly<RiskLimits>) {
  const decs = Object.fromEntries(Object.entries(DEC_LIMITS).map(([k, [min, max]]) => [k, dzOff(min, max).default((defaults[k as keyof RiskLimits] as Decimal | undefined) ?? null)]))
  const ints = Object.fromEntries(Object.entries(INT_LIMITS).map(([k, [min, max]]) => [k, intOff(min, max).default((defaults[k as keyof RiskLimits] as number | undefined) ?? null)]))
  return z.object({ ...decs, ...ints }) as unknown as z.ZodType<{ [K in keyof typeof DEC_LIMITS]: Decimal | null } & { [K in keyof typeof INT_LIMITS]: number | null }, unknown>
}

export const ZRiskLimits = riskLimitsSchema(DEFAULT_TRADER_LIMITS)
export type RiskLimitsSettings = z.output<typeof ZRiskLimits>

/** Limits across a user's traders, judged per book (see Book in load-risk-state). */
export const ZUserRiskLimits = riskLimitsSchema(DEFAULT_ACCOUNT_LIMITS)

export const ZApprovalSettings = z.object({
  entries: boolz.default(false),
  exits: boolz.default(false),
  modifications: boolz.default(false),
  expiryMinutes: intz(1, 24 * 60).default(15),
})

/**
 * How the watchlist is chosen: FIXED is the watchlist as typed; TOP is the N spot markets in the
 * trader's quote currency with the highest 24 h quote volume on the market-data exchange,
 * resolved by the worker (workers/universe/) into the watchlist. The stored default `{}` reads as FIXED.
 */
export const ZUniverse = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('FIXED') }),
    z.strictObject({
      kind: z.literal('TOP'),
      n: intz(1, 500),
      excludeStablecoins: boolz.default(true),
      excludeLeveraged: boolz.default(true),
      /** Symbols never in the universe (comma-separated in a form). */
      exclude: symbolList({ min: 0, max: 200 }).default([]),
    }),
  ],
  { error: 'kind must be FIXED or TOP' },
)
export type Universe = z.output<typeof ZUniverse>

/** A trader's stored universe; unreadable (or the default `{}`) reads as the fixed watchlist. */
export function readUniverse(stored: unknown): Universe {
  const r = ZUniverse.safeParse(stored)
  return r.success ? r.data : { kind: 'FIXED' }
}

export interface TraderSettings {
  ai: AiSettings
  management: z.output<typeof ZManagementRules>
  sizing: z.output<typeof ZSizing>
  risk: RiskLimitsSettings
  approvals: z.output<typeof ZApprovalSettings>
}

interface StoredSettings {
  aiSettings: unknown
  management: unknown
  sizing: unknown
  riskLimits: unknown
  approvals: unknown
}

/**
 * Reads stored settings. They were validated on write; a value that no longer parses (an
 * older version's shape) falls back to the default for that group rather than stopping trading.
 */
export function readTraderSettings(t: StoredSettings): TraderSettings {
  const sizing = ZSizing.safeParse(t.sizing)
  return {
    ai: parseOr(ZAiSettings, t.aiSettings),
    management: parseOr(ZManagementRules, t.management),
    sizing: sizing.success ? sizing.data : ZSizing.parse(DEFAULT_SIZING),
    risk: readRiskLimits(t.riskLimits),
    approvals: parseOr(ZApprovalSettings, t.approvals),
  }
}

/** A trader's stored risk limits (see readTraderSettings for why unreadable values read as defaults). */
export function readRiskLimits(stored: unknown): RiskLimitsSettings {
  return parseOr(ZRiskLimits, stored)
}

/** A user's stored limits across traders (per book), read the same way. */
export function readUserRiskLimits(stored: unknown): RiskLimitsSettings {
  return parseOr(ZUserRiskLimits, stored)
}

function parseOr<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value ?? {})
  return r.success ? r.data : schema.parse({})
}

/** Decimals back to strings for the JSON columns (and for API responses). */
export function toStoredJson(value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (typeof value === 'object' && 'toFixed' in (value as object) && typeof (value as Decimal).toFixed === 'function') return (value as Decimal).toFixed()
  if (Array.isArray(value)) return value.map(toStoredJson)
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, toStoredJson(v)]))
  return value
}

import { z } from 'zod'
import { TIMEFRAMES } from '@/lib/domain/market/candle'
import { LIMIT_LABELS, type RiskLimitName } from '@/lib/domain/risk/risk-limits'
import { AiProvider, TraderStatus } from '@/lib/generated/prisma/enums'
import { ZUpdateUserRiskSettingsRequest } from '@/lib/server/settings/user-risk-settings'
import { ZPauseTraderRequest } from '@/lib/server/traders/pause-trader'
import { ZRequestAnalysisRequest } from '@/lib/server/traders/request-analysis'
import { ZTestTraderConnectionRequest } from '@/lib/server/traders/test-trader-connection'
import { ZAiSettings, ZApprovalSettings, ZManagementRules, ZRiskLimits, ZSizing, ZUserRiskLimits } from '@/lib/server/traders/trader-settings'
import { ZUpdateTraderSettingsRequest } from '@/lib/server/traders/update-trader-settings'
import { doc, ZStatusCause } from './response-schemas'

/**
 * Request and response shapes of the trader-settings, pause/resume, analyze and risk-settings
 * endpoints. Responses register in the shared response registry (the OpenAPI document lists
 * them); no response has a field that could hold an API key, only `apiKey.masked`.
 */
const decimal = (description = 'An exact decimal as a string.') => doc(z.string().regex(/^\d+(\.\d+)?$/), { description })
const offDecimal = (description: string) => doc(z.string().regex(/^\d+(\.\d+)?$/).nullable(), { description: `${description} null = off.` })
const timestamp = () => doc(z.string(), { format: 'date-time', description: 'ISO 8601 timestamp (UTC).' })

const ZAiSettingsOut = z.object({
  baseUrl: doc(z.string().optional(), { description: 'API root including /v1; the provider\'s public endpoint when absent.' }),
  model: z.string().optional(),
  timeoutMs: z.number().int(),
  maxRetries: z.number().int(),
  inputCostPerMTok: decimal('USD per million input tokens.'),
  outputCostPerMTok: decimal('USD per million output tokens.'),
  dailyTokenBudget: doc(z.number().int().nullable(), { description: 'Tokens per day (user\'s time zone); null = no budget.' }),
  dailyCostBudgetUsd: offDecimal('USD per day.'),
  intervalMinutes: doc(z.number().int(), { description: 'Minutes between analysis cycles (1–1440).' }),
  timeframes: z.array(z.enum(TIMEFRAMES)),
  minConfidence: decimal('0..1'),
  maxStopDistancePct: decimal(),
  maxEntryDeviationPct: decimal(),
  maxTargetDistancePct: decimal(),
  minTpFeeMultiple: decimal(),
  maxModificationsPerHour: z.number().int(),
  allowShort: z.boolean(),
})

const ZManagementOut = z.object({
  breakevenAtPct: offDecimal('Move the stop to entry once the position is this % in profit.'),
  breakevenOffsetPct: decimal('Beyond entry by this %, to cover fees.'),
  trailingPct: offDecimal('Trail the stop this % behind the best price.'),
  trailingAtrMult: offDecimal('Trail the stop this many ATRs behind the best price.'),
  tightenAfterMinutes: doc(z.number().int().nullable(), { description: 'After this many minutes open, tighten the stop. null = off.' }),
  tightenToPct: offDecimal('…to at most this % from the price.'),
})

const ZSizingOut = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('FIXED_QUOTE'), amount: decimal('Quote currency per trade.') }),
  z.object({ mode: z.literal('EQUITY_PCT'), pct: decimal('% of equity per trade.') }),
  z.object({ mode: z.literal('RISK_PCT'), riskPct: decimal('% of equity lost if the stop is hit.') }),
  z.object({ mode: z.literal('CONFIDENCE_SCALED'), riskPct: decimal('RISK_PCT scaled by the decision\'s confidence.') }),
])

/** Every limit of the domain's list: amounts and percentages as decimal strings, counts as integers. */
function limitsOut(description: string) {
  const value = z.union([z.string().regex(/^\d+(\.\d+)?$/), z.number().int()]).nullable()
  const shape = Object.fromEntries((Object.keys(LIMIT_LABELS) as RiskLimitName[]).map((k) => [k, value])) as Record<RiskLimitName, typeof value>
  return doc(z.object(shape), { description })
}

const ZApprovalsOut = z.object({
  entries: z.boolean(),
  exits: z.boolean(),
  modifications: z.boolean(),
  expiryMinutes: z.number().int(),
})

export const ZTraderState = doc(
  z.object({
    traderId: z.string(),
    status: z.enum(TraderStatus),
    statusReason: doc(z.string().nullable(), { description: 'Why it is paused or halted (a tripped breaker, a panic, a person).' }),
    statusCause: ZStatusCause,
    statusChangedAt: timestamp().nullable(),
    accountHalted: doc(z.boolean(), { description: 'The trader\'s account is halted by a panic: nothing opens even while ACTIVE.' }),
    accountHaltedReason: z.string().nullable(),
    autoTrade: z.boolean(),
    dryRun: z.boolean(),
    lastCycleAt: timestamp().nullable(),
    nextCycleAt: timestamp().nullable(),
    lastCycleError: doc(z.string().nullable(), { description: 'Why the last analysis cycle failed (e.g. the AI provider); null when it went well.' }),
  }),
  { id: 'TraderState', description: 'Whether the trader may open positions, and how its analysis cycles are going.' },
)

export const ZTraderSettings = doc(
  z.object({
    traderId: z.string(),
    name: z.string(),
    quoteCurrency: z.string(),
    autoTrade: doc(z.boolean(), { description: 'Run analysis cycles on the schedule and act on them.' }),
    dryRun: doc(z.boolean(), { description: 'Record decisions without placing orders.' }),
    provider: z.enum(AiProvider),
    apiKey: doc(z.object({ set: z.boolean(), masked: z.string().nullable() }), { description: 'Only whether a key is stored and its last four characters (••••abcd). The key itself is never returned.' }),
    ai: ZAiSettingsOut,
    management: ZManagementOut,
    sizing: ZSizingOut,
    risk: limitsOut('The trader\'s risk limits; null = off.'),
    approvals: ZApprovalsOut,
    state: ZTraderState,
  }),
  { id: 'TraderSettings' },
)

export const ZConnectionTestResult = doc(
  z.object({
    ok: z.boolean(),
    message: doc(z.string(), { description: 'One sentence saying what answered or why not; never contains the key.' }),
    latencyMs: z.number(),
    model: doc(z.string().optional(), { description: 'The model id the server says answered.' }),
  }),
  { id: 'ConnectionTestResult' },
)

export const ZAnalysisRequested = doc(
  z.object({
    requested: z.literal(true),
    traderId: z.string(),
    symbol: z.string().nullable(),
    workerRunning: doc(z.boolean(), { description: 'false: no worker reported recently, so nothing runs until one starts.' }),
    message: z.string(),
  }),
  { id: 'AnalysisRequested' },
)

export const ZRiskSettings = doc(
  z.object({
    timeZone: doc(z.string(), { description: 'IANA zone whose calendar day the daily limits count in.' }),
    limits: limitsOut('Limits across your traders, judged per account mode and quote currency (paper never counts against live; currencies are never added up); null = off.'),
  }),
  { id: 'RiskSettings' },
)

/** Request bodies, documented with the group schemas the services check each group with. */
export function registerTraderSettingsRequests(reg: z.core.$ZodRegistry<{ id: string; description?: string }>) {
  reg.add(
    ZUpdateTraderSettingsRequest.extend({
      ai: ZAiSettings.optional(),
      management: ZManagementRules.optional(),
      sizing: ZSizing.optional(),
      risk: ZRiskLimits.optional(),
      approvals: ZApprovalSettings.optional(),
    }),
    {
      id: 'UpdateTraderSettingsRequest',
      description:
        'Give only what changes: each group is merged over its stored values, then checked whole. Off-able values (limits, management rules, budgets) take null or "" for off. ' +
        'apiKey is write-only: a non-empty key replaces the stored one (stored encrypted), "" keeps it, clearApiKey: true removes it. An LLM provider needs ai.model. Nothing is written when any field is invalid.',
    },
  )
  reg.add(ZTestTraderConnectionRequest.extend({ ai: ZAiSettings.optional() }), {
    id: 'TestTraderConnectionRequest',
    description: 'Optional: unsaved values to test over the saved settings (an empty or absent apiKey uses the stored key).',
  })
  reg.add(ZRequestAnalysisRequest, { id: 'RequestAnalysisRequest' })
  reg.add(ZPauseTraderRequest, { id: 'PauseTraderRequest' })
  reg.add(ZUpdateUserRiskSettingsRequest.extend({ limits: ZUserRiskLimits.optional() }), {
    id: 'UpdateRiskSettingsRequest',
    description: 'Limits left out keep their values; null or "" turns one off. timeZone must be an IANA zone such as Europe/Berlin.',
  })
}

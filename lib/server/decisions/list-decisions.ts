import { z } from 'zod'
import type { DbTx } from '@/lib/db/client'
import { fromDb } from '@/lib/db/decimal-columns'
import { DECISION_ACTIONS } from '@/lib/domain/decisions/trade-decision'
import { DECISION_OUTCOMES } from '@/lib/domain/performance/decision-performance'
import type { Prisma } from '@/lib/generated/prisma/client'
import { validationError } from '@/lib/server/errors/app-error'
import { textField } from '@/lib/server/validation/text-field'
import { ZIdField } from '@/lib/server/validation/id-field'

/** The journal's "decision" filter: an action, or INVALID for output that could not be read (no action). */
export const DECISION_FILTER_ACTIONS = [...DECISION_ACTIONS, 'INVALID'] as const

const ZLimit = z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(200, 'must be at most 200').default(50)

/** GET /api/v1/decisions and the journal page's filters. */
export const ZListDecisionsQuery = z.object({
  traderId: ZIdField.optional(),
  positionId: ZIdField.optional(),
  symbol: textField({ max: 40 })
    .toUpperCase()
    .regex(/^[A-Z0-9]+\/[A-Z0-9]+$/, 'must look like BTC/USDT')
    .optional(),
  action: z.enum(DECISION_FILTER_ACTIONS, { error: `must be one of ${DECISION_FILTER_ACTIONS.join(', ')}` }).optional(),
  outcome: z.enum(DECISION_OUTCOMES, { error: `must be one of ${DECISION_OUTCOMES.join(', ')}` }).optional(),
  limit: ZLimit,
  cursor: ZIdField.optional(),
})
export type DecisionFilter = z.output<typeof ZListDecisionsQuery>

export interface ConstraintView {
  name: string
  satisfied: boolean
  currentValue: string
  requiredValue: string
}

export interface ValidationView {
  isValid: boolean
  errors: string[]
  warnings: string[]
  constraints: ConstraintView[]
}

export interface ExecutedStepView {
  step: string
  /** EXECUTED | UNCONFIRMED | QUEUED | ALREADY_QUEUED | REFUSED | DRY_RUN */
  status: string
  summary: string | null
  error: string | null
  positionId: string | null
  approvalId: string | null
}

export interface ExecutedView {
  sizing: { qty: string; notional: string; cappedBy: string | null; explanation: string | null } | null
  steps: ExecutedStepView[]
}

/** One journal entry as it leaves the server (decimals as strings). */
export interface DecisionView {
  id: string
  traderId: string
  traderName: string
  cycleId: string
  symbol: string
  positionId: string | null
  provider: string
  model: string
  promptVersion: string
  trigger: string
  /** null: the provider's output was invalid or missing. */
  action: string | null
  confidence: string | null
  reasoning: string
  validation: ValidationView | null
  outcome: string
  executed: ExecutedView | null
  error: string | null
  latencyMs: number
  modelLatencyMs: number
  promptTokens: number
  completionTokens: number
  costUsd: string
  /** Whether the exact prompt and raw response were kept (a model or rules call was made). */
  hasCall: boolean
  createdAt: string
}

const ZConstraint = z.object({ name: z.string(), satisfied: z.boolean(), currentValue: z.coerce.string(), requiredValue: z.coerce.string() })
const ZStoredValidation = z.object({
  isValid: z.boolean(),
  errors: z.array(z.string()).catch([]),
  warnings: z.array(z.string()).catch([]),
  constraints: z.array(ZConstraint).catch([]),
})
const optText = z.string().nullish().transform((v) => v ?? null)
const ZStoredStep = z.object({
  step: z.string(),
  status: z.string(),
  summary: optText,
  error: optText,
  positionId: optText,
  approvalId: optText,
})
const ZStoredExecuted = z.object({
  sizing: z
    .object({ qty: z.coerce.string(), notional: z.coerce.string(), cappedBy: optText, explanation: optText })
    .nullish()
    .transform((v) => v ?? null)
    .catch(null),
  steps: z.array(ZStoredStep).catch([]),
})

/** Stored JSON read defensively: an older or unexpected shape shows as absent, never as an error. */
export function readValidation(v: unknown): ValidationView | null {
  const r = ZStoredValidation.safeParse(v)
  return r.success ? r.data : null
}

export function readExecuted(v: unknown): ExecutedView | null {
  if (v === null || v === undefined) return null
  const r = ZStoredExecuted.safeParse(v)
  return r.success ? r.data : null
}

export const decisionInclude = { trader: { select: { name: true } }, call: { select: { decisionId: true } } } as const
type DecisionRow = Prisma.DecisionGetPayload<{ include: typeof decisionInclude }>

export function toDecisionView(d: DecisionRow): DecisionView {
  return {
    id: d.id,
    traderId: d.traderId,
    traderName: d.trader.name,
    cycleId: d.cycleId,
    symbol: d.symbol,
    positionId: d.positionId,
    provider: d.provider,
    model: d.model,
    promptVersion: d.promptVersion,
    trigger: d.trigger,
    action: d.action,
    confidence: d.confidence === null ? null : fromDb(d.confidence).toFixed(),
    reasoning: d.reasoning,
    validation: readValidation(d.validation),
    outcome: d.outcome,
    executed: readExecuted(d.executed),
    error: d.error,
    latencyMs: d.latencyMs,
    modelLatencyMs: d.modelLatencyMs,
    promptTokens: d.promptTokens,
    completionTokens: d.completionTokens,
    costUsd: fromDb(d.costUsd).toFixed(),
    hasCall: d.call !== null,
    createdAt: d.createdAt.toISOString(),
  }
}

/**
 * The decisions about a position: those recorded with it, and those its audit trail names (an
 * entry decision is recorded before its position exists, e.g. one that waited for approval, and
 * is linked to it by the position's CREATED event).
 */
async function aboutPosition(db: DbTx, positionId: string): Promise<Prisma.DecisionWhereInput> {
  const named = await db.positionEvent.findMany({ where: { positionId, decisionId: { not: null } }, select: { decisionId: true } })
  const ids = [...new Set(named.map((e) => e.decisionId!))]
  return ids.length ? { OR: [{ positionId }, { id: { in: ids } }] } : { positionId }
}

async function filterWhere(db: DbTx, userId: string, f: Partial<DecisionFilter>): Promise<Prisma.DecisionWhereInput[]> {
  const and: Prisma.DecisionWhereInput[] = [
    {
      trader: { userId },
      traderId: f.traderId,
      symbol: f.symbol,
      outcome: f.outcome,
      ...(f.action === 'INVALID' ? { action: null } : f.action ? { action: f.action } : {}),
    },
  ]
  if (f.positionId) and.push(await aboutPosition(db, f.positionId))
  return and
}

/** How many decisions match the filters (limit and cursor are ignored). */
export async function countDecisions(opts: { db: DbTx; userId: string; filter?: Partial<DecisionFilter> }): Promise<number> {
  return opts.db.decision.count({ where: { AND: await filterWhere(opts.db, opts.userId, opts.filter ?? {}) } })
}

/**
 * The user's decision journal, newest first, a page at a time: pass the last id shown as
 * `cursor` for the next page (`nextCursor`). Only the user's own traders' decisions are ever
 * returned; a filter naming someone else's trader or position simply matches nothing.
 * `positionId` matches the decisions about that position (see aboutPosition).
 */
export async function listDecisions(opts: { db: DbTx; userId: string; filter?: Partial<DecisionFilter> }): Promise<{ decisions: DecisionView[]; nextCursor: string | null }> {
  const f = opts.filter ?? {}
  const limit = f.limit ?? 50
  const and = await filterWhere(opts.db, opts.userId, f)
  if (f.cursor) {
    const at = await opts.db.decision.findFirst({ where: { id: f.cursor, trader: { userId: opts.userId } }, select: { id: true, createdAt: true } })
    if (!at) throw validationError([{ field: 'cursor', message: 'is not a decision of this journal (use nextCursor from the previous page)' }])
    and.push({ OR: [{ createdAt: { lt: at.createdAt } }, { createdAt: at.createdAt, id: { lt: at.id } }] })
  }
  const where: Prisma.DecisionWhereInput = { AND: and }
  const rows = await opts.db.decision.findMany({ where, include: decisionInclude, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit + 1 })
  const page = rows.slice(0, limit)
  return { decisions: page.map(toDecisionView), nextCursor: rows.length > limit ? page[page.length - 1]!.id : null }
}

/** What the journal's filters can offer: the user's traders and every symbol they decide on. */
export async function decisionFilterOptions(db: DbTx, userId: string): Promise<{ traders: { id: string; name: string }[]; symbols: string[] }> {
  const traders = await db.trader.findMany({ where: { userId }, select: { id: true, name: true, watchlist: true }, orderBy: { createdAt: 'asc' } })
  // GROUP BY in the database (findMany's `distinct` would read every row).
  const seen = await db.decision.groupBy({ by: ['symbol'], where: { trader: { userId } } })
  const symbols = [...new Set([...traders.flatMap((t) => t.watchlist), ...seen.map((s) => s.symbol)])].sort()
  return { traders: traders.map((t) => ({ id: t.id, name: t.name })), symbols }
}

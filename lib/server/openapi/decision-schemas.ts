import { z } from 'zod'
import { CONFIDENCE_BUCKETS, DECISION_OUTCOMES } from '@/lib/domain/performance/decision-performance'
import { APPROVAL_STATUSES } from '@/lib/server/approvals/list-approvals'
import { doc } from './response-schemas'

/**
 * Response shapes of the decision journal, approval and performance endpoints, in the same
 * registry as the other responses so the OpenAPI document lists them.
 */
const decimal = (description = 'An exact decimal as a string, e.g. "60010.5".') => doc(z.string().regex(/^-?\d+(\.\d+)?$/), { description, examples: ['60010.5'] })
const timestamp = () => doc(z.string(), { format: 'date-time', description: 'ISO 8601 timestamp (UTC).' })
const PROVIDERS = ['RULES', 'OPENAI_COMPATIBLE', 'ANTHROPIC'] as const

export const ZConstraint = doc(
  z.object({
    name: z.string(),
    satisfied: z.boolean(),
    currentValue: doc(z.string(), { description: 'The value found, as shown to a person (e.g. "7.5%").' }),
    requiredValue: doc(z.string(), { description: 'The value the rule requires (e.g. "≤ 5%").' }),
  }),
  { id: 'Constraint' },
)

export const ZValidationResult = doc(
  z.object({ isValid: z.boolean(), errors: z.array(z.string()), warnings: z.array(z.string()), constraints: z.array(ZConstraint) }),
  { id: 'ValidationResult', description: 'What the validation layer (and, at execution, the risk limits) found, one constraint per check.' },
)

export const ZExecutedStep = doc(
  z.object({
    step: doc(z.string(), { description: 'The step in words, e.g. "LONG 0.01 BTC/USDT at market, stop 59000".' }),
    status: doc(z.string(), { description: 'EXECUTED, UNCONFIRMED (sent; the exchange did not confirm it, and the order is being looked up: see positionId), QUEUED (waiting for approval), ALREADY_QUEUED (an earlier decision\'s request for the same step still waits; its approvalId), REFUSED (with error), DRY_RUN, PLANNED (not run yet: the decision is EXECUTING) or FAILED (something unexpected, with error; the steps after it were not tried).' }),
    summary: z.string().nullable(),
    error: z.string().nullable(),
    positionId: z.string().nullable(),
    approvalId: z.string().nullable(),
  }),
  { id: 'ExecutedStep' },
)

const decisionFields = {
  id: z.string(),
  traderId: z.string(),
  traderName: z.string(),
  cycleId: doc(z.string(), { description: 'Decisions of one analysis cycle share it.' }),
  symbol: z.string(),
  positionId: z.string().nullable(),
  provider: z.enum(PROVIDERS),
  model: z.string(),
  promptVersion: z.string(),
  trigger: doc(z.string(), { description: 'What started the cycle: SCHEDULE, SIGNAL or MANUAL.' }),
  action: doc(z.string().nullable(), { description: 'NO_TRADE, LONG, SHORT, WATCH, CLOSE or PARTIAL_TP; null when the provider\'s output was invalid or missing.' }),
  confidence: decimal('0..1').nullable(),
  reasoning: z.string(),
  validation: ZValidationResult.nullable(),
  outcome: z.enum(DECISION_OUTCOMES),
  executed: doc(
    z
      .object({
        sizing: z.object({ qty: z.string(), notional: z.string(), cappedBy: z.string().nullable(), explanation: z.string().nullable() }).nullable(),
        steps: z.array(ZExecutedStep),
      })
      .nullable(),
    { description: 'How the entry was sized and what each step became.' },
  ),
  error: z.string().nullable(),
  latencyMs: doc(z.number().int(), { description: 'Whole time spent on this symbol.' }),
  modelLatencyMs: doc(z.number().int(), { description: 'The part of latencyMs the model took.' }),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  costUsd: decimal('Model cost in USD.'),
  hasCall: doc(z.boolean(), { description: 'Whether the prompt and raw response were kept (GET /api/v1/decisions/{id} returns them).' }),
  createdAt: timestamp(),
}

export const ZDecision = doc(z.object(decisionFields), { id: 'Decision', description: 'One journal entry: what the provider decided, what validation found, and what was executed.' })

export const ZDecisionList = doc(
  z.object({
    decisions: z.array(ZDecision),
    nextCursor: doc(z.string().nullable(), { description: 'Pass as `cursor` for the next (older) page; null on the last page.' }),
  }),
  { id: 'DecisionList' },
)

export const ZDecisionDetail = doc(
  z.object({
    ...decisionFields,
    decision: doc(z.unknown(), { description: 'The parsed decision (decimals as strings); null when the output was invalid.' }),
    call: doc(
      z.object({ prompt: doc(z.unknown(), { description: 'Exactly what the provider was given (JSON).' }), rawResponse: doc(z.string().nullable(), { description: 'The provider\'s answer, verbatim.' }), attempts: z.number().int() }).nullable(),
      { description: 'null when no call was made (e.g. the price was stale).' },
    ),
    approvals: z.array(
      z.object({ id: z.string(), kind: z.enum(['ENTRY', 'EXIT', 'MODIFY']), status: z.enum(APPROVAL_STATUSES), expiresAt: timestamp(), decidedAt: timestamp().nullable(), note: z.string().nullable() }),
    ),
  }),
  { id: 'DecisionDetail' },
)

const levels = () => z.array(z.object({ price: decimal(), sharePct: decimal() }))

export const ZApproval = doc(
  z.object({
    id: z.string(),
    traderId: z.string(),
    traderName: z.string(),
    decisionId: z.string().nullable(),
    positionId: z.string().nullable(),
    kind: z.enum(['ENTRY', 'EXIT', 'MODIFY']),
    symbol: z.string(),
    status: z.enum(APPROVAL_STATUSES),
    request: doc(
      z.object({
        kind: z.enum(['ENTRY', 'EXIT', 'MODIFY']),
        symbol: z.string(),
        side: z.enum(['LONG', 'SHORT']).nullable(),
        entryType: z.enum(['MARKET', 'LIMIT']).nullable(),
        limitPrice: decimal().nullable(),
        qty: decimal().nullable(),
        stopLoss: decimal().nullable(),
        takeProfits: levels().nullable(),
        positionId: z.string().nullable(),
        sharePct: decimal().nullable(),
        full: z.boolean().nullable(),
      }),
      { description: 'The queued step as proposed. ENTRY: side, entryType, qty, stopLoss, takeProfits. MODIFY: stopLoss and/or takeProfits (null = unchanged). EXIT: sharePct, full.' },
    ),
    action: z.string().nullable(),
    confidence: decimal().nullable(),
    reasoning: z.string(),
    step: z.string(),
    validation: ZValidationResult.nullable(),
    priceAtDecision: z.object({ bid: decimal(), ask: decimal() }).nullable(),
    currentPrice: z.object({ bid: decimal(), ask: decimal(), receivedAt: timestamp() }).nullable(),
    expiresAt: timestamp(),
    createdAt: timestamp(),
    decidedAt: timestamp().nullable(),
    decidedBy: doc(z.string().nullable(), { description: 'The id of the user who decided; null when pending or expired.' }),
    decidedByEmail: z.string().nullable(),
    note: z.string().nullable(),
    result: doc(z.unknown(), { description: 'What came of it: { executed, positionId, step, edited } when approved; { error, … } when it failed; { rejected } / { expired }.' }),
  }),
  { id: 'Approval', description: 'A step of a decision waiting for (or decided by) a person.' },
)

export const ZApprovalList = doc(z.object({ approvals: z.array(ZApproval) }), { id: 'ApprovalList' })

export const ZApproveResult = doc(
  z.object({
    approval: ZApproval,
    positionId: z.string(),
    summary: doc(z.string(), { description: 'What was executed, e.g. "opened LONG 0.01 BTC/USDT".' }),
  }),
  { id: 'ApproveResult' },
)

export const ZDecisionPerformance = doc(
  z.object({
    entries: doc(
      z.array(
        z.object({
          provider: z.enum(PROVIDERS),
          action: z.enum(['LONG', 'SHORT']),
          bucket: z.enum(CONFIDENCE_BUCKETS),
          bucketLabel: doc(z.string(), { description: '<0.6, 0.6–0.8 or ≥0.8.' }),
          decisions: doc(z.number().int(), { description: 'Executed entry decisions in the group.' }),
          closedTrades: z.number().int(),
          wins: doc(z.number().int(), { description: 'Closed with realized PnL > 0.' }),
          losses: doc(z.number().int(), { description: 'Closed with realized PnL < 0.' }),
          winRatePct: decimal('wins / closed trades × 100, 2 places; null without a closed trade.').nullable(),
          totalPnl: decimal('Sum of the closed trades\' realized PnL (net of fees), exact.'),
          avgPnl: decimal('totalPnl / closed trades, 8 places.').nullable(),
          openTrades: z.number().int(),
          failedTrades: doc(z.number().int(), { description: 'Entries whose position never traded.' }),
        }),
      ),
      { description: 'Executed entries (LONG/SHORT) by provider × action × confidence bucket.' },
    ),
    byBucket: z.array(
      z.object({
        bucket: z.enum(CONFIDENCE_BUCKETS),
        bucketLabel: z.string(),
        decisions: z.number().int(),
        closedTrades: z.number().int(),
        wins: z.number().int(),
        winRatePct: decimal().nullable(),
        totalPnl: decimal(),
      }),
    ),
    outcomes: doc(
      z.array(
        z.object({
          provider: z.enum(PROVIDERS),
          total: z.number().int(),
          byOutcome: z.object(Object.fromEntries(DECISION_OUTCOMES.map((o) => [o, z.number().int()])) as Record<(typeof DECISION_OUTCOMES)[number], z.ZodNumber>),
          withoutDecision: doc(z.number().int(), { description: 'Decisions recorded with no action: invalid or missing provider output, or a failure before the provider was asked.' }),
        }),
      ),
      { description: 'How every decision ended, per provider.' },
    ),
  }),
  { id: 'DecisionPerformance' },
)

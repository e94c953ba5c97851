import { randomUUID } from 'node:crypto'
import type { Db } from '@/lib/db/client'
import type { TradeDecision } from '@/lib/domain/decisions/trade-decision'
import type { Constraint, ValidationResult } from '@/lib/domain/decisions/validation-result'
import type { SizingResult } from '@/lib/domain/sizing/position-size'
import { createApproval } from '@/lib/server/approvals/create-approval'
import { waitingApproval } from '@/lib/server/approvals/waiting-approval'
import { isAppError } from '@/lib/server/errors/app-error'
import { EntryUnconfirmed } from '@/lib/server/positions/entry-unconfirmed'
import { RiskRejection } from '@/lib/server/risk/entry-risk'
import type { TraderSettings } from '@/lib/server/traders/trader-settings'
import type { ProviderAnswer } from './ask-provider'
import { describeStep, planSteps, type Normalized, type PlanStep } from './decision-plan'
import { executeStep } from './execute-step'
import { finishDecision, recordDecision, type DecisionRecord, type RecordInput } from './record-decision'
import type { SymbolSnapshot } from './symbol-snapshot'

/** What a decision's step became, as its journal entry records it (settleInterruptedDecisions writes the same). */
export type StepResult =
  | { step: string; status: 'EXECUTED'; summary: string; positionId: string }
  // Sent, and the exchange did not confirm it: the position exists and its entry is looked up.
  | { step: string; status: 'UNCONFIRMED'; summary: string; positionId: string }
  | { step: string; status: 'QUEUED'; approvalId: string }
  // Asked for by an earlier decision whose request still waits: this one adds nothing.
  | { step: string; status: 'ALREADY_QUEUED'; approvalId: string; summary: string }
  | { step: string; status: 'REFUSED'; error: string }
  | { step: string; status: 'DRY_RUN' }
  // Not run yet: the journal entry is written before its steps are sent (see below).
  | { step: string; status: 'PLANNED' }
  // Something unexpected (the database failing): the steps after it were not tried.
  | { step: string; status: 'FAILED'; error: string }

interface SettleInput extends Omit<RecordInput, 'outcome' | 'answer' | 'decision' | 'validation'> {
  trader: RecordInput['trader'] & { name: string; dryRun: boolean; autoTrade: boolean }
  answer: ProviderAnswer & { ok: true }
  decision: TradeDecision
  validation: ValidationResult & { normalized?: Normalized }
  sizing: SizingResult | null
  snapshot: SymbolSnapshot
  settings: TraderSettings
  blocked: boolean
  /** When validation finished: the decision→order time of what this executes starts here. */
  decidedAt: Date
}

/**
 * Turns a validated decision into actions: nothing, a dry-run record, approval requests, or
 * execution through the regular services. The journal entry says exactly which, and why.
 */
export async function settleDecision(s: SettleInput): Promise<DecisionRecord> {
  const id = randomUUID()
  const rec = (outcome: RecordInput['outcome'], extra: Partial<RecordInput> = {}) =>
    recordDecision({ ...s, id, outcome, answer: s.answer, decision: s.decision, validation: s.validation, positionId: s.snapshot.position?.id ?? null, ...extra })
  const sizingNote = s.sizing ? { sizing: { qty: s.sizing.qty.toFixed(), notional: s.sizing.notional.toFixed(2), cappedBy: s.sizing.cappedBy, explanation: s.sizing.explanation } } : {}

  if (!s.validation.isValid) return rec('REJECTED', { executed: { ...sizingNote }, error: s.validation.errors.join('; ') })
  const p = s.snapshot.positionState
  const steps = planSteps(s.decision, s.validation.normalized, s.snapshot.position && p ? { id: s.snapshot.position.id, openQty: p.openQty, stopLoss: p.stopLoss, takeProfits: p.takeProfits } : null)
  if (steps.length === 0) return rec('NO_ACTION', { executed: { ...sizingNote, steps: [] } })
  // With automatic trading off (a person pressed "Analyze now"), decisions are only recorded.
  if (s.trader.dryRun || !s.trader.autoTrade) {
    const results: StepResult[] = steps.map((st) => ({ step: describeStep(st), status: 'DRY_RUN' }))
    return rec('DRY_RUN', { executed: { ...sizingNote, steps: results } })
  }

  const { approvals } = s.settings
  const needsApproval = (st: PlanStep) => (st.kind === 'ENTRY' ? approvals.entries : st.kind === 'EXIT' ? approvals.exits : approvals.modifications)
  // Written before anything is sent, with its plan: a trade never stands without its journal
  // entry (prompt, answer, validation). A worker stopped part way leaves it EXECUTING, and
  // settleInterruptedDecisions ends it from what its steps left behind.
  const planned: StepResult[] = steps.map((st) => ({ step: describeStep(st), status: 'PLANNED' }))
  await rec('EXECUTING', { executed: { ...sizingNote, plan: steps, steps: planned } })
  const results: StepResult[] = []
  const riskConstraints: Constraint[] = []
  let positionId = s.snapshot.position?.id ?? null
  let failure: string | null = null
  for (const st of steps) {
    try {
      if (needsApproval(st)) {
        const waiting = await waitingApproval(s.db, s.trader.id, st)
        if (waiting) {
          results.push({ step: describeStep(st), status: 'ALREADY_QUEUED', approvalId: waiting, summary: 'an earlier decision asked for this; its request still waits for approval' })
          continue
        }
        const approvalId = await createApproval({
          db: s.db, traderId: s.trader.id, userId: s.trader.userId, decisionId: id, step: st, expiryMinutes: approvals.expiryMinutes,
          summary: { action: s.decision.action, confidence: s.decision.confidence.toFixed(), reasoning: s.decision.reasoning, step: describeStep(st), validation: s.validation, priceAtDecision: { bid: s.snapshot.quote.bid.toFixed(), ask: s.snapshot.quote.ask.toFixed() } },
        })
        results.push({ step: describeStep(st), status: 'QUEUED', approvalId })
        continue
      }
      const r = await executeStep(
        { db: s.db, userId: s.trader.userId, traderId: s.trader.id, actor: { kind: 'WORKER' }, source: s.trader.provider === 'RULES' ? 'RULES' : 'AI', trigger: 'AI_ANALYSIS', decisionId: id, reason: `${s.trader.provider === 'RULES' ? 'rules' : 'AI'} decision, confidence ${s.decision.confidence.toFixed()}` },
        st,
      )
      positionId = r.positionId
      results.push({ step: describeStep(st), status: 'EXECUTED', summary: r.summary, positionId: r.positionId })
    } catch (e) {
      if (e instanceof EntryUnconfirmed) {
        positionId = e.positionId
        results.push({ step: describeStep(st), status: 'UNCONFIRMED', summary: e.message, positionId: e.positionId })
        continue
      }
      if (!isAppError(e)) {
        // Not a refusal: whatever failed may fail the next step too, so none is tried.
        failure = e instanceof Error ? e.message : String(e)
        results.push({ step: describeStep(st), status: 'FAILED', error: failure })
        break
      }
      if (e instanceof RiskRejection) {
        riskConstraints.push(...e.violations.map((v) => ({ name: v.label, satisfied: false, currentValue: v.currentValue, requiredValue: v.allowedValue })))
      }
      results.push({ step: describeStep(st), status: 'REFUSED', error: e.message })
    }
  }

  const executed = results.some((r) => r.status === 'EXECUTED' || r.status === 'UNCONFIRMED')
  const queued = results.some((r) => r.status === 'QUEUED')
  const refused = results.filter((r): r is Extract<StepResult, { status: 'REFUSED' }> => r.status === 'REFUSED')
  const validation = riskConstraints.length
    ? { ...s.validation, isValid: false, errors: [...s.validation.errors, ...refused.map((r) => r.error)], constraints: [...s.validation.constraints, ...riskConstraints] }
    : s.validation
  const finished = finishDecision({
    ...s,
    id,
    outcome: failure ? 'FAILED' : executed ? 'EXECUTED' : queued ? 'PENDING_APPROVAL' : refused.length ? 'REJECTED' : 'NO_ACTION',
    validation,
    positionId,
    executed: { ...sizingNote, steps: results },
    error: failure ?? (refused.length ? refused.map((r) => r.error).join('; ') : null),
  })
  return finished.catch((e: unknown) => {
    throw new DecisionLeftExecuting(id, e)
  })
}

/**
 * Writing a decision's outcome failed after its steps ran: its journal entry stays EXECUTING
 * (with its prompt, answer and plan), and the worker's housekeeping settles it from what the
 * steps did (settleInterruptedDecisions). The cycle writes no second entry for it.
 */
export class DecisionLeftExecuting extends Error {
  constructor(
    readonly decisionId: string,
    cause: unknown,
  ) {
    super(`its outcome could not be recorded (${cause instanceof Error ? cause.message : String(cause)}); the worker settles it from what its steps did`)
    this.name = 'DecisionLeftExecuting'
  }
}


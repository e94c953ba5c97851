import { randomUUID } from 'node:crypto'
import { sqlOf, type Db } from '@/lib/db/client'
import { toJsonColumn } from '@/lib/db/json-column'
import { Prisma } from '@/lib/generated/prisma/client'
import type { TradeDecision } from '@/lib/domain/decisions/trade-decision'
import type { ValidationResult } from '@/lib/domain/decisions/validation-result'
import { notifyAllSelect } from '@/lib/server/events/notify'
import type { ProviderAnswer } from './ask-provider'

export type DecisionOutcome = 'NO_ACTION' | 'EXECUTING' | 'EXECUTED' | 'DRY_RUN' | 'PENDING_APPROVAL' | 'REJECTED' | 'FAILED'

export interface DecisionRecord {
  id: string
  symbol: string
  action: string | null
  outcome: DecisionOutcome
  error: string | null
  /** Whole time spent on this symbol, and the part of it the model took. */
  latencyMs: number
  modelLatencyMs: number
}

export interface RecordInput {
  db: Db
  trader: { id: string; userId: string; provider: 'RULES' | 'OPENAI_COMPATIBLE' | 'ANTHROPIC' }
  cycleId: string
  symbol: string
  trigger: string
  /** performance.now() when work on this symbol began. */
  started: number
  outcome: DecisionOutcome
  id?: string
  answer?: ProviderAnswer
  decision?: TradeDecision
  validation?: ValidationResult
  executed?: Prisma.InputJsonValue
  positionId?: string | null
  error?: string | null
  /** When the validated decision was ready to act on (the entry is written after acting on it). */
  decidedAt?: Date
}

/** Writes one journal entry (and the exact prompt and raw answer) and notifies on commit. */
export async function recordDecision(r: RecordInput): Promise<DecisionRecord> {
  const id = r.id ?? randomUUID()
  const latencyMs = Math.round(performance.now() - r.started)
  const a = r.answer
  const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v))
  // The entry, its model call and the notification in one statement (atomic on its own); the
  // notification goes out on commit. On the pool straight: a cycle writes one per symbol.
  await sqlOf(r.db).$executeRaw`
    WITH d AS (
      INSERT INTO "Decision" (id, "traderId", "cycleId", symbol, "positionId", provider, model, "promptVersion", trigger, action, confidence, reasoning,
        decision, validation, outcome, executed, error, "latencyMs", "modelLatencyMs", "decidedAt", "promptTokens", "completionTokens", "costUsd", "createdAt")
      VALUES (${id}, ${r.trader.id}, ${r.cycleId}, ${r.symbol}, ${r.positionId ?? null}, ${r.trader.provider}::"AiProvider", ${a?.model ?? ''}, ${a?.promptVersion ?? ''},
        ${r.trigger}, ${r.decision?.action ?? null}, ${r.decision ? r.decision.confidence.toFixed() : null}::numeric, ${r.decision?.reasoning ?? ''},
        ${json(r.decision && toJsonColumn(r.decision))}::jsonb, ${json(r.validation && toJsonColumn(r.validation))}::jsonb, ${r.outcome}::"DecisionOutcome",
        ${json(r.executed)}::jsonb, ${r.error ?? null}, ${latencyMs}::int, ${a?.modelLatencyMs ?? 0}::int, ${r.decidedAt ?? null}::timestamp(3),
        ${a?.promptTokens ?? 0}::int, ${a?.completionTokens ?? 0}::int, ${a?.costUsd ?? '0'}::numeric, ${new Date()}::timestamp(3))
    ), c AS (
      INSERT INTO "DecisionCall" ("decisionId", prompt, "rawResponse", attempts)
      SELECT ${id}, ${json(a && toJsonColumn(a.prompt))}::jsonb, ${a?.raw ?? null}, ${a?.attempts ?? 1}::int WHERE ${a !== undefined}
    )
    ${notifyAllSelect([{ kind: 'decision', userId: r.trader.userId, traderId: r.trader.id, decisionId: id }])}`
  return { id, symbol: r.symbol, action: r.decision?.action ?? null, outcome: r.outcome, error: r.error ?? null, latencyMs, modelLatencyMs: a?.modelLatencyMs ?? 0 }
}

/**
 * A journal entry written EXECUTING (before its steps were sent) gets its outcome once they have
 * run: what each step became, the risk limits that refused one, its position. One statement,
 * notified on commit. A step it queued for approval may have been answered already (a person
 * approving within the moment since): the approval then moved the entry on from EXECUTING (see
 * decide-approval), and "waits for approval" does not overwrite what it recorded, by the same
 * rule: executed once any step was, waiting while any waits, else rejected. In one UPDATE, which
 * reads the row as it stands once it holds the row's lock.
 */
export async function finishDecision(
  r: Pick<RecordInput, 'db' | 'trader' | 'symbol' | 'started' | 'outcome' | 'validation' | 'executed' | 'positionId' | 'error' | 'decision' | 'answer'> & { id: string },
): Promise<DecisionRecord> {
  const latencyMs = Math.round(performance.now() - r.started)
  const answered = Prisma.sql`(${r.outcome === 'PENDING_APPROVAL'} AND outcome <> 'EXECUTING')`
  // A step rejected while another of its steps was still being queued: that one waits now.
  const stillWaits = Prisma.sql`(outcome = 'REJECTED' AND EXISTS (SELECT 1 FROM "Approval" a WHERE a."decisionId" = ${r.id} AND a.status = 'PENDING'))`
  const [row] = await sqlOf(r.db).$queryRaw<{ outcome: DecisionOutcome; error: string | null }[]>`
    WITH d AS (
      UPDATE "Decision" SET
        outcome = CASE WHEN NOT ${answered} THEN ${r.outcome}::"DecisionOutcome" WHEN ${stillWaits} THEN 'PENDING_APPROVAL' ELSE outcome END,
        error = CASE WHEN NOT ${answered} THEN ${r.error ?? null} WHEN ${stillWaits} THEN NULL ELSE error END,
        validation = ${JSON.stringify(toJsonColumn(r.validation))}::jsonb, executed = ${JSON.stringify(r.executed)}::jsonb,
        "positionId" = COALESCE(${r.positionId ?? null}, "positionId"), "latencyMs" = ${latencyMs}::int
      WHERE id = ${r.id}
      RETURNING outcome::text AS outcome, error
    ), n AS (${notifyAllSelect([{ kind: 'decision', userId: r.trader.userId, traderId: r.trader.id, decisionId: r.id }])})
    SELECT d.outcome, d.error FROM d, (SELECT count(*) FROM n) sent`
  const outcome = row?.outcome ?? r.outcome
  return { id: r.id, symbol: r.symbol, action: r.decision?.action ?? null, outcome, error: row ? row.error : (r.error ?? null), latencyMs, modelLatencyMs: r.answer?.modelLatencyMs ?? 0 }
}
